#include "textflag.h"

// rawHandler is installed by the kernel as a C signal handler for every
// signal drainit catches but the six a fault raises (see doc.go). It
// writes its signal number as one byte (sigNumbers[sig]) to the pipe
// wakeFD, then returns through the restorer. It may clobber any register:
// the kernel restores them all. It is installed for signals 1 to 64 only,
// and sigNumbers has 65 entries, so sig needs no bounds check.

// C ABI: DI = sig. write(2): AX = 1, DI = fd, SI = buf, DX = count.
TEXT ·rawHandler(SB),NOSPLIT|NOFRAME,$0-0
	LEAQ	·sigNumbers(SB), SI
	ADDQ	DI, SI
	MOVL	·wakeFD(SB), DI
	MOVQ	$1, DX
	MOVQ	$1, AX
	SYSCALL
	RET

TEXT ·rawHandlerPC(SB),NOSPLIT,$0-8
	MOVQ	$·rawHandler(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
