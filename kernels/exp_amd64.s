#include "textflag.h"

// e^x on 8 float64 lanes by the operations of math.Exp's FMA path on amd64
// ($GOROOT/src/math/exp_amd64.s, label avxfma), with its constants.

DATA expc<>+0(SB)/8, $1.4426950408889634073599246810018920        // log2(e)
DATA expc<>+8(SB)/8, $0.69314718055966295651160180568695068359375 // ln 2, upper part
DATA expc<>+16(SB)/8, $0.28235290563031577122588448175013436025525412068e-12 // ln 2, lower part
DATA expc<>+24(SB)/8, $0.0625
DATA expc<>+32(SB)/8, $2.4801587301587301587e-5
DATA expc<>+40(SB)/8, $1.9841269841269841270e-4
DATA expc<>+48(SB)/8, $1.3888888888888888889e-3
DATA expc<>+56(SB)/8, $8.3333333333333333333e-3
DATA expc<>+64(SB)/8, $4.1666666666666666667e-2
DATA expc<>+72(SB)/8, $1.6666666666666666667e-1
DATA expc<>+80(SB)/8, $0.5
DATA expc<>+88(SB)/8, $1.0
DATA expc<>+96(SB)/8, $2.0
DATA expc<>+104(SB)/8, $700.0
DATA expc<>+112(SB)/8, $-700.0
GLOBL expc<>(SB), RODATA, $120

// func expAVX512Kernel(dst, x *float64, n int) int
TEXT ·expAVX512Kernel(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), R9

	VBROADCASTSD expc<>+0(SB), Z16
	VBROADCASTSD expc<>+8(SB), Z17
	VBROADCASTSD expc<>+16(SB), Z18
	VBROADCASTSD expc<>+24(SB), Z19
	VBROADCASTSD expc<>+32(SB), Z20
	VBROADCASTSD expc<>+40(SB), Z21
	VBROADCASTSD expc<>+48(SB), Z22
	VBROADCASTSD expc<>+56(SB), Z23
	VBROADCASTSD expc<>+64(SB), Z24
	VBROADCASTSD expc<>+72(SB), Z25
	VBROADCASTSD expc<>+80(SB), Z26
	VBROADCASTSD expc<>+88(SB), Z27
	VBROADCASTSD expc<>+96(SB), Z28
	VBROADCASTSD expc<>+104(SB), Z29
	VBROADCASTSD expc<>+112(SB), Z30
	MOVL         $0x3ff, R8
	VPBROADCASTD R8, Y31

	XORQ AX, AX

loop:
	MOVQ R9, CX
	SUBQ AX, CX
	JLE  done
	MOVL $0xff, R8
	CMPQ CX, $8
	JGE  full
	MOVL $1, R8
	SHLL CX, R8
	DECL R8

full:
	KMOVB     R8, K1
	VMOVUPD.Z (SI)(AX*8), K1, Z0
	VCMPPD    $0x1d, Z30, Z0, K2     // x ≥ −700 (false for NaN)
	VCMPPD    $0x12, Z29, Z0, K2, K3 // and x ≤ 700
	KMOVB     K3, R10
	CMPL      R10, $0xff
	JNE       done                   // left to math.Exp

	VMULPD       Z16, Z0, Z1         // k = round(x·log2 e)
	VCVTPD2DQ    Z1, Y2
	VCVTDQ2PD    Y2, Z1
	VFNMADD231PD Z17, Z1, Z0         // r = x − k·ln2U − k·ln2L
	VFNMADD231PD Z18, Z1, Z0
	VMULPD       Z19, Z0, Z0         // r/16
	VMOVAPD      Z20, Z3             // Taylor series
	VFMADD213PD  Z21, Z0, Z3
	VFMADD213PD  Z22, Z0, Z3
	VFMADD213PD  Z23, Z0, Z3
	VFMADD213PD  Z24, Z0, Z3
	VFMADD213PD  Z25, Z0, Z3
	VFMADD213PD  Z26, Z0, Z3
	VFMADD213PD  Z27, Z0, Z3
	VMULPD       Z3, Z0, Z0
	VADDPD       Z28, Z0, Z3         // four squarings: y·(y + 2)
	VMULPD       Z3, Z0, Z0
	VADDPD       Z28, Z0, Z3
	VMULPD       Z3, Z0, Z0
	VADDPD       Z28, Z0, Z3
	VMULPD       Z3, Z0, Z0
	VADDPD       Z28, Z0, Z3
	VFMADD213PD  Z27, Z3, Z0
	VPADDD       Y31, Y2, Y2         // times 2^k
	VPMOVSXDQ    Y2, Z4
	VPSLLQ       $52, Z4, Z4
	VMULPD       Z4, Z0, Z0
	VMOVUPD      Z0, K1, (DI)(AX*8)
	ADDQ         $8, AX
	JMP          loop

done:
	CMPQ    AX, R9
	CMOVQGT R9, AX
	MOVQ    AX, ret+24(FP)
	VZEROUPPER
	RET
