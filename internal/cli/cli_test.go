package cli

import (
	"bytes"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		json bool
		n    int
	}{
		{nil, nil, false, 0},
		{[]string{"kernels"}, []string{"kernels"}, false, 0},
		{[]string{"kernels", "--json"}, []string{"kernels"}, true, 0},
		{[]string{"--json", "kernels"}, []string{"kernels"}, true, 0},
		{[]string{"a", "-n", "3", "b", "-json"}, []string{"a", "b"}, true, 3},
		{[]string{"a", "--", "-n", "b"}, []string{"a", "-n", "b"}, false, 0},
		{[]string{"--", "--json"}, []string{"--json"}, false, 0},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		j := fs.Bool("json", false, "")
		n := fs.Int("n", 0, "")
		pos, err := ParseInterspersed(fs, tc.args)
		if err != nil || !slices.Equal(pos, tc.pos) || *j != tc.json || *n != tc.n {
			t.Errorf("%q: pos %q json %v n %d err %v; want %q %v %d", tc.args, pos, *j, *n, err, tc.pos, tc.json, tc.n)
		}
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	if _, err := ParseInterspersed(fs, []string{"a", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err %v, want flag.ErrHelp", err)
	}
	if _, err := ParseInterspersed(fs, []string{"a", "-zzz"}); !isFlagError(err) {
		t.Errorf("-zzz: err %v, want a flag error", err)
	}
}

func testApp() *App {
	a := &App{Name: "prog", Short: "prog does things."}
	a.Register(&Command{
		Name: "fail", Short: "always fails", Long: "Fail fails.",
		Setup: func(fs *flag.FlagSet) RunFunc {
			usage := fs.Bool("usage", false, "fail with a usage error")
			return func(env *Env, args []string) error {
				if *usage {
					return Usagef("bad thing %d", 7)
				}
				return errors.New("it broke")
			}
		},
	})
	a.Register(&Command{Name: "topic", Short: "a help topic", Long: "Topic text."})
	return a
}

func TestRun(t *testing.T) {
	a := testApp()
	for _, tc := range []struct {
		args         []string
		code         int
		stdout, errs string
	}{
		{[]string{"fail"}, 1, "", "prog fail: it broke\n"},
		{[]string{"fail", "-usage"}, 2, "", "prog fail: bad thing 7\nusage: prog fail [flags]\nRun 'prog help fail' for details.\n"},
		{[]string{"topic"}, 2, "", "prog topic: unknown command\nRun 'prog help' for usage.\n"},
		{[]string{"help", "topic"}, 0, "Topic text.\n", ""},
		{[]string{"fail", "-h"}, 0, "usage: prog fail [flags]\n\nFail fails.\n\nFlags:\n  -usage\n    \tfail with a usage error\n", ""},
	} {
		var o, e bytes.Buffer
		code := a.Run(&Env{Stdout: &o, Stderr: &e}, tc.args)
		if code != tc.code || o.String() != tc.stdout || e.String() != tc.errs {
			t.Errorf("%q: exit %d stdout %q stderr %q; want %d %q %q", tc.args, code, o.String(), e.String(), tc.code, tc.stdout, tc.errs)
		}
	}
	var o bytes.Buffer
	a.PrintUsage(&o)
	if !strings.Contains(o.String(), "Additional help topics:") || !strings.Contains(o.String(), "  fail  always fails") {
		t.Errorf("usage:\n%s", o.String())
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	a := testApp()
	defer func() {
		if recover() == nil {
			t.Error("duplicate Register did not panic")
		}
	}()
	a.Register(&Command{Name: "fail"})
}
