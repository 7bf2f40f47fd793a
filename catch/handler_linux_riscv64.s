#include "textflag.h"

// rawHandler is installed by the kernel as a C signal handler for every
// signal drainit catches but the six a fault raises (see doc.go). It
// writes its signal number as one byte (sigNumbers[sig]) to the pipe
// wakeFD, then returns through the restorer. It may clobber any register:
// the kernel restores them all. It is installed for signals 1 to 64 only,
// and sigNumbers has 65 entries, so sig needs no bounds check.

// C ABI: A0 = sig. write(2): A7 = 64, A0 = fd, A1 = buf, A2 = count.
TEXT ·rawHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOV	$·sigNumbers(SB), A1
	ADD	A0, A1
	MOVWU	·wakeFD(SB), A0
	MOV	$1, A2
	MOV	$64, A7
	ECALL
	RET

TEXT ·rawHandlerPC(SB),NOSPLIT,$0-8
	MOV	$·rawHandler(SB), A0
	MOV	A0, ret+0(FP)
	RET
