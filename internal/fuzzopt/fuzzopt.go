// Package fuzzopt holds settings shared by braingo's fuzz tests.
package fuzzopt

import (
	"flag"
	"fmt"
)

// minimizeFlag is the go test flag that bounds the minimization of each
// new input.
const minimizeFlag = "test.fuzzminimizetime"

// BoundMinimization limits the minimization of each input that finds new
// coverage to execs runs of the fuzz function, unless the go test command
// line sets -fuzzminimizetime itself. Call it in a Fuzz function before
// f.Fuzz.
//
// Why: Go minimizes a []byte input by trying to remove every byte and
// every span of bytes, a quadratic number of runs. A file format whose
// smallest valid file is kilobytes (HDF5, hence NIR) makes that a wall:
// each new input spends the default 60 s minimizing (while the fuzzer
// reports no executions), so fuzzing runs at a few inputs a minute.
// Bounding it keeps fuzzing at thousands of executions a second; a
// crashing input is still saved, just less minimized.
func BoundMinimization(execs int) {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == minimizeFlag {
			set = true
		}
	})
	if set || flag.Lookup(minimizeFlag) == nil {
		return
	}
	if err := flag.Set(minimizeFlag, fmt.Sprintf("%dx", execs)); err != nil {
		panic("fuzzopt: " + err.Error())
	}
}
