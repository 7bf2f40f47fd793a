#include "textflag.h"

// rawHandler is installed by the kernel as a C signal handler for every
// signal drainit catches but the six a fault raises (see doc.go). It
// writes its signal number as one byte (sigNumbers[sig]) to the pipe
// wakeFD, then returns through the restorer. It may clobber any register:
// the kernel restores them all. It is installed for signals 1 to 64 only,
// and sigNumbers has 65 entries, so sig needs no bounds check.

// C ABI (EABI): R0 = sig. write(2): R7 = 4, R0 = fd, R1 = buf, R2 = count.
TEXT ·rawHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVW	$·sigNumbers(SB), R1
	ADD	R0, R1, R1
	MOVW	·wakeFD(SB), R0
	MOVW	$1, R2
	MOVW	$4, R7
	SWI	$0
	RET

TEXT ·rawHandlerPC(SB),NOSPLIT,$0-4
	MOVW	$·rawHandler(SB), R0
	MOVW	R0, ret+0(FP)
	RET
