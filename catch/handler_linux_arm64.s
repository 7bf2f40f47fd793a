#include "textflag.h"

// rawHandler: what it does and may do is on its Go declaration
// (catch_linux.go); here is only how, on this architecture.

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
