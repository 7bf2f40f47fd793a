#include "textflag.h"

// rawHandler is installed by the kernel as a C signal handler for every
// signal drainit catches but the six a fault raises (see doc.go). It
// writes its signal number as one byte (sigNumbers[sig]) to the pipe
// wakeFD, then returns through the restorer. It may clobber any register:
// the kernel restores them all. It is installed for signals 1 to 64 only,
// and sigNumbers has 65 entries, so sig needs no bounds check.

// C ABI: R0 = sig. write(2): R8 = 64, R0 = fd, R1 = buf, R2 = count.
TEXT ·rawHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVD	$·sigNumbers(SB), R1
	ADD	R0, R1, R1
	MOVWU	·wakeFD(SB), R0
	MOVD	$1, R2
	MOVD	$64, R8
	SVC
	RET

TEXT ·rawHandlerPC(SB),NOSPLIT,$0-8
	MOVD	$·rawHandler(SB), R0
	MOVD	R0, ret+0(FP)
	RET
