package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/internal/mpi"
)

// mainRanks runs the command line as one rank of an MPI job (braingo-mpi
// under mpirun with more than one process) and exits. Rank 0 prints the
// results and progress; the other ranks print nothing unless they fail. A
// rank that fails ends the whole job (MPI_Abort) with a message naming the
// rank and the cause, so no rank waits forever in a collective. It returns
// at once in a single process.
func mainRanks() {
	if mpi.Size() <= 1 {
		return
	}
	rank, size := mpi.Rank(), mpi.Size()
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Prog: app.Name}
	var errs bytes.Buffer
	if rank != 0 {
		env.Stdout, env.Stderr = io.Discard, &errs
	}
	defer func() {
		if p := recover(); p != nil {
			mpi.Abort(2, fmt.Sprintf("braingo: rank %d of %d: panic: %v", rank, size, p))
		}
	}()
	code := app.Run(env, os.Args[1:])
	if code != 0 {
		cause := "see the message above"
		if rank != 0 {
			cause = strings.TrimSpace(errs.String())
		}
		mpi.Abort(code, fmt.Sprintf("braingo: rank %d of %d failed (%s); ending the MPI job", rank, size, cause))
	}
	mpi.Finalize()
	os.Exit(0)
}
