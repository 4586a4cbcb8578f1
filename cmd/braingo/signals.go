package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/braingo/braingo/internal/cli"
)

// exitInterrupted is the status of a process quit by a second interrupt
// (128 + SIGINT, as shells report it).
const exitInterrupted = 130

// interruptContext returns a context cancelled by the first SIGINT or
// SIGTERM: the run stops at its next check (between batches or simulation
// chunks) and keeps what it has. A second signal quits at once, saying so;
// checkpoints are written atomically, so any the run wrote is intact.
// stop releases the signals.
func interruptContext(env *cli.Env) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
		case <-done:
			return
		}
		fmt.Fprintln(env.Stderr, "interrupt: stopping at the next check; interrupt again to quit at once")
		cancel()
		select {
		case <-ch:
			fmt.Fprintln(env.Stderr, "second interrupt: quitting now (checkpoints are written atomically: any written is intact)")
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}
