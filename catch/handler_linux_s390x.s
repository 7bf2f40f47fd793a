#include "textflag.h"

// rawHandler is installed by the kernel as a C signal handler for every
// signal drainit catches but the six a fault raises (see doc.go). It
// writes its signal number as one byte (sigNumbers[sig]) to the pipe
// wakeFD, then returns through the restorer. It may clobber any register:
// the kernel restores them all. It is installed for signals 1 to 64 only,
// and sigNumbers has 65 entries, so sig needs no bounds check.

// C ABI: R2 = sig. write(2): R1 = 4, R2 = fd, R3 = buf, R4 = count.
TEXT ·rawHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVD	$·sigNumbers(SB), R3
	ADD	R2, R3
	MOVWZ	·wakeFD(SB), R2
	MOVD	$1, R4
	MOVD	$4, R1
	SYSCALL
	RET

TEXT ·rawHandlerPC(SB),NOSPLIT,$0-8
	MOVD	$·rawHandler(SB), R2
	MOVD	R2, ret+0(FP)
	RET
