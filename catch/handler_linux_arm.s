#include "textflag.h"

// rawHandler: what it does and may do is on its Go declaration
// (catch_linux.go); here is only how, on this architecture.

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
