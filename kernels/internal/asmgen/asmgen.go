// Package asmgen holds what the generators of kernels' assembly
// (gemm_asm_gen.go, gemm_bf16_asm_gen.go) share: the loop over the steps of
// a GEMM micro-kernel, the pointer advance of its C and R variants, and the
// store of its tile as C = alpha·sum + beta·C.
package asmgen

import (
	"bytes"
	"fmt"
	"log"
	"os"
)

// Writer collects lines of Go assembly.
type Writer struct{ buf bytes.Buffer }

// E writes one line.
func (w *Writer) E(format string, args ...any) { fmt.Fprintf(&w.buf, format+"\n", args...) }

// WriteFile writes the lines to the file name, or stops the program.
func (w *Writer) WriteFile(name string) {
	if err := os.WriteFile(name, w.buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// KLoop writes a micro-kernel's loop over CX steps of p: four steps at a
// time (step(0) to step(3), then advance(4)) while four are left, then one
// at a time (step(0), advance(1)); it ends at label "store".
func (w *Writer) KLoop(step func(p int), advance func(steps int)) {
	w.E("\tCMPQ CX, $4")
	w.E("\tJLT  tail")
	w.E("loop4:")
	for p := 0; p < 4; p++ {
		step(p)
	}
	advance(4)
	w.E("\tSUBQ $4, CX")
	w.E("\tCMPQ CX, $4")
	w.E("\tJGE  loop4")
	w.E("tail:")
	w.E("\tTESTQ CX, CX")
	w.E("\tJZ   store")
	w.E("loop1:")
	step(0)
	advance(1)
	w.E("\tDECQ CX")
	w.E("\tJNZ  loop1")
	w.E("store:")
}

// Advance writes the move of the A and B pointers by steps (1 or 4) of p:
// A's stride is R12 bytes (C variants), or A is read from rows whose
// pointers, one per three rows, are bases[:mr/3] (R variants); B's
// stride is R13 bytes.
func (w *Writer) Advance(rows bool, bases []string, mr, steps int) {
	if !rows {
		if steps == 4 {
			w.E("\tLEAQ (SI)(R12*4), SI")
		} else {
			w.E("\tADDQ R12, SI")
		}
	} else {
		for _, r := range bases[:mr/3] {
			w.E("\tADDQ $%d, %s", 4*steps, r)
		}
	}
	if steps == 4 {
		w.E("\tLEAQ (DI)(R13*4), DI")
	} else {
		w.E("\tADDQ R13, DI")
	}
}

// Store writes the tile's rows to C at DX (row stride R8 bytes, DX
// advanced row by row): acc(i, h) names the register of row i and vector h
// of nz, each vecBytes wide; al holds alpha and, with beta, be holds beta
// (C = alpha·sum + beta·C; without, C = alpha·sum).
func (w *Writer) Store(mr, nz, vecBytes int, acc func(i, h int) string, al, be string, beta bool) {
	for i := 0; i < mr; i++ {
		if i > 0 {
			w.E("\tADDQ R8, DX")
		}
		for h := 0; h < nz; h++ {
			z := acc(i, h)
			w.E("\tVMULPS %s, %s, %s", al, z, z)
			if beta {
				w.E("\tVFMADD231PS %d(DX), %s, %s", vecBytes*h, be, z)
			}
			w.E("\tVMOVUPS %s, %d(DX)", z, vecBytes*h)
		}
	}
}
