#include "textflag.h"

// rawHandler: what it does and may do is on its Go declaration
// (catch_linux.go); here is only how, on this architecture.

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
