#include "textflag.h"

// rawHandler: what it does and may do is on its Go declaration
// (catch_linux.go); here is only how, on this architecture.

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
