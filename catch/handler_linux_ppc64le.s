#include "textflag.h"

// rawHandler is installed by the kernel as a C signal handler for every
// signal drainit catches but the six a fault raises (see doc.go). It
// writes its signal number as one byte (sigNumbers[sig]) to the pipe
// wakeFD, then returns through the restorer. It may clobber any register:
// the kernel restores them all. It is installed for signals 1 to 64 only,
// and sigNumbers has 65 entries, so sig needs no bounds check.

// ELFv2 ABI: R3 = sig. write(2): R0 = 4, R3 = fd, R4 = buf, R5 = count.
TEXT ·rawHandler(SB),NOSPLIT|NOFRAME,$0-0
	MOVD	$·sigNumbers(SB), R4
	ADD	R3, R4
	MOVWZ	·wakeFD(SB), R3
	MOVD	$1, R5
	MOVD	$4, R0
	SYSCALL
	RET

TEXT ·rawHandlerPC(SB),NOSPLIT,$0-8
	MOVD	$·rawHandler(SB), R3
	MOVD	R3, ret+0(FP)
	RET
