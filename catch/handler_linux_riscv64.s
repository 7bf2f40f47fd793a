#include "textflag.h"

// rawHandler: what it does and may do is on its Go declaration
// (catch_linux.go); here is only how, on this architecture.

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
