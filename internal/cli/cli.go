// Package cli is the small framework behind the braingo command: a table of
// flat subcommands whose help text is generated from the table itself, in the
// manner of the go command (cmd/go/internal/base).
//
// Conventions:
//   - results go to Env.Stdout, progress and diagnostics to Env.Stderr;
//   - a user mistake (unknown command, bad flag, bad argument) is a
//     *UsageError and exits 2; any other error exits 1; success exits 0;
//   - errors are printed as one line prefixed with the program and command
//     name, never as a stack trace;
//   - flags may appear before, between or after positional arguments, and
//     "--" ends flag parsing.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

// Exit statuses.
const (
	ExitOK      = 0 // success
	ExitFailure = 1 // the command ran and failed
	ExitUsage   = 2 // the command line was wrong
)

// Env is what a running command sees of the world.
type Env struct {
	Stdout io.Writer // results
	Stderr io.Writer // progress and diagnostics
	Prog   string    // program name, e.g. "braingo"
}

// Errorf writes a diagnostic line to Stderr.
func (e *Env) Errorf(format string, args ...any) {
	fmt.Fprintf(e.Stderr, format, args...)
	if !strings.HasSuffix(format, "\n") {
		fmt.Fprintln(e.Stderr)
	}
}

// RunFunc runs a command once its flags have been parsed; args are the
// positional arguments.
type RunFunc func(env *Env, args []string) error

// Command is one row of the command table.
type Command struct {
	// Name is the subcommand, e.g. "bench".
	Name string
	// Args is the synopsis after the name and flags, e.g. "kernels".
	Args string
	// Short is a one-line summary shown by "help", lower case, no period.
	Short string
	// Long is the full description shown by "help NAME" and "NAME -h".
	Long string
	// Setup declares the command's flags on fs, bound to variables it owns,
	// and returns the function that runs the command once fs is parsed. It
	// is called afresh for every invocation and for generating help, so
	// commands keep no global state. A nil Setup means no flags and no run
	// function (a help topic).
	Setup func(fs *flag.FlagSet) RunFunc
}

// UsageLine is the command's synopsis, e.g. "bench [flags] kernels".
func (c *Command) UsageLine() string {
	s := c.Name
	if c.hasFlags() {
		s += " [flags]"
	}
	if c.Args != "" {
		s += " " + c.Args
	}
	return s
}

func (c *Command) flagSet() (*flag.FlagSet, RunFunc) {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var run RunFunc
	if c.Setup != nil {
		run = c.Setup(fs)
	}
	return fs, run
}

func (c *Command) hasFlags() bool {
	fs, _ := c.flagSet()
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// UsageError is a mistake in the command line; it makes the program exit 2
// and print the command's usage line.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// App is a program made of subcommands.
type App struct {
	// Name is the program name used in messages and help.
	Name string
	// Short is the one-line description heading "help".
	Short string
	cmds  map[string]*Command
}

// Register adds c to the table. It panics on a duplicate or empty name, as
// registration happens from init functions and such a mistake is the
// programmer's.
func (a *App) Register(c *Command) {
	if c.Name == "" || strings.ContainsAny(c.Name, " \t") {
		panic(fmt.Sprintf("cli: bad command name %q", c.Name))
	}
	if a.cmds == nil {
		a.cmds = make(map[string]*Command)
	}
	if _, dup := a.cmds[c.Name]; dup {
		panic("cli: Register called twice for command " + c.Name)
	}
	a.cmds[c.Name] = c
}

// Lookup returns the named command or nil.
func (a *App) Lookup(name string) *Command { return a.cmds[name] }

// Commands returns the registered commands sorted by name.
func (a *App) Commands() []*Command {
	cs := make([]*Command, 0, len(a.cmds))
	for _, c := range a.cmds {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// Main runs the program with os.Args and exits with its status.
func (a *App) Main() {
	env := &Env{Stdout: os.Stdout, Stderr: os.Stderr, Prog: a.Name}
	os.Exit(a.Run(env, os.Args[1:]))
}

// Run runs the command line args (without the program name) and returns
// the exit status.
func (a *App) Run(env *Env, args []string) int {
	if env.Prog == "" {
		env.Prog = a.Name
	}
	if len(args) == 0 {
		a.PrintUsage(env.Stderr)
		return ExitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		return a.help(env, args[1:])
	}
	if strings.HasPrefix(name, "-") {
		env.Errorf("%s: unknown flag %s\nRun '%s help' for usage.", a.Name, name, a.Name)
		return ExitUsage
	}
	c := a.Lookup(name)
	if c == nil || c.Setup == nil {
		env.Errorf("%s %s: unknown command\nRun '%s help' for usage.", a.Name, name, a.Name)
		return ExitUsage
	}
	fs, run := c.flagSet()
	pos, err := ParseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		a.PrintHelp(env.Stdout, c)
		return ExitOK
	}
	if err == nil {
		err = run(env, pos)
	}
	return a.report(env, c, err)
}

func (a *App) report(env *Env, c *Command, err error) int {
	if err == nil {
		return ExitOK
	}
	var ue *UsageError
	if errors.As(err, &ue) || isFlagError(err) {
		env.Errorf("%s %s: %v\nusage: %s %s\nRun '%s help %s' for details.",
			a.Name, c.Name, err, a.Name, c.UsageLine(), a.Name, c.Name)
		return ExitUsage
	}
	var uc usageClass
	if errors.As(err, &uc) && uc.Usage() {
		env.Errorf("%s %s: %v", a.Name, c.Name, err)
		return ExitUsage
	}
	env.Errorf("%s %s: %v", a.Name, c.Name, err)
	return ExitFailure
}

// usageClass is implemented by errors that are the user's to fix but not a
// mistake in the command line itself (a bad recipe value, a run directory
// that holds a run): they exit 2 like a usage error, without the usage
// line.
type usageClass interface{ Usage() bool }

// flagError marks errors from the flag package, which are all usage errors.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe)
}

// ParseInterspersed parses flags anywhere among the positional arguments
// ("bench kernels --json" as well as "bench --json kernels") and returns the
// positional arguments in order. Everything after "--" is positional. Flag
// errors are returned as usage errors; -h and --help yield flag.ErrHelp.
func ParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		// Find "--" ourselves: the flag package swallows it silently.
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (a *App) help(env *Env, args []string) int {
	switch len(args) {
	case 0:
		a.PrintUsage(env.Stdout)
		return ExitOK
	case 1:
		c := a.Lookup(args[0])
		if c == nil {
			env.Errorf("%s help %s: unknown help topic\nRun '%s help' for usage.", a.Name, args[0], a.Name)
			return ExitUsage
		}
		a.PrintHelp(env.Stdout, c)
		return ExitOK
	default:
		env.Errorf("usage: %s help [command]\n\nToo many arguments given.", a.Name)
		return ExitUsage
	}
}

// PrintUsage writes the program's overview: the command table.
func (a *App) PrintUsage(w io.Writer) {
	if a.Short != "" {
		fmt.Fprintf(w, "%s\n\n", a.Short)
	}
	fmt.Fprintf(w, "Usage:\n\n\t%s <command> [arguments]\n\nThe commands are:\n\n", a.Name)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	var topics []*Command
	for _, c := range a.Commands() {
		if c.Setup == nil {
			topics = append(topics, c)
			continue
		}
		fmt.Fprintf(tw, "\t%s\t%s\n", c.Name, c.Short)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nUse \"%s help <command>\" for more information about a command.\n", a.Name)
	if len(topics) > 0 {
		fmt.Fprintf(w, "\nAdditional help topics:\n\n")
		for _, c := range topics {
			fmt.Fprintf(tw, "\t%s\t%s\n", c.Name, c.Short)
		}
		tw.Flush()
		fmt.Fprintf(w, "\nUse \"%s help <topic>\" for more information about that topic.\n", a.Name)
	}
}

// PrintHelp writes the full help of one command: usage line, description
// and flags with their defaults.
func (a *App) PrintHelp(w io.Writer, c *Command) {
	if c.Setup != nil {
		fmt.Fprintf(w, "usage: %s %s\n\n", a.Name, c.UsageLine())
	}
	long := strings.TrimSpace(c.Long)
	if long == "" {
		long = c.Short
	}
	fmt.Fprintln(w, long)
	fs, _ := c.flagSet()
	if c.hasFlags() {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}
