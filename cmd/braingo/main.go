// Command braingo trains spiking and rate neural networks and simulates
// large spiking networks.
//
// Usage:
//
//	braingo <command> [arguments]
//
// Run "braingo help" for the list of commands and "braingo help <command>"
// for one command's flags. Results go to standard output, progress to
// standard error; every command that produces results accepts --json for
// one JSON object per line. The exit status is 0 on success, 1 when a
// command fails and 2 when the command line is wrong.
//
// With BRAINGO_CPUPROFILE=FILE in the environment, any command writes a Go
// CPU profile of its run to FILE (read it with "go tool pprof").
//
// Each subcommand lives in its own file of this directory and registers
// itself from an init function:
//
//	func init() {
//		register(&cli.Command{Name: "hello", Short: "say hello", Setup: ...})
//	}
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/braingo/braingo/internal/cli"
)

var app = &cli.App{
	Name:  "braingo",
	Short: "braingo trains spiking and rate neural networks and simulates large spiking networks.",
}

// register adds a subcommand; called from each command file's init.
func register(c *cli.Command) { app.Register(c) }

func main() {
	mainRanks() // ranks.go: returns at once unless this is one of several MPI ranks
	if f := os.Getenv("BRAINGO_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "braingo: BRAINGO_CPUPROFILE:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			fmt.Fprintln(os.Stderr, "braingo: BRAINGO_CPUPROFILE:", err)
			os.Exit(1)
		}
		code := app.Run(&cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Prog: app.Name}, os.Args[1:])
		pprof.StopCPUProfile()
		out.Close()
		os.Exit(code)
	}
	app.Main()
}
