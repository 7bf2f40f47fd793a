#include "textflag.h"

// rawHandler: what it does and may do is on its Go declaration
// (catch_linux.go); here is only how, on this architecture.

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
