//go:build !torch

// Command csnn is the convolutional tutorial of braingo; it needs the torch
// build (libtorch through gotch): see README.md beside this file.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "csnn: this tutorial needs libtorch: run `make torch`, then\n"+
		"  GOWORK=$PWD/build/go.work go run -tags torch ./examples/csnn")
	os.Exit(1)
}
