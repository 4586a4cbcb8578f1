package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/braingo/braingo/internal/cli"
)

func init() {
	register(&cli.Command{
		Name:  "version",
		Short: "print braingo's version",
		Long: `Version prints braingo's version, the Go version that built it and the
platform, and the source revision when the build recorded one.

With --json it prints one object with the keys version, go, os, arch and
(when known) revision and modified.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object")
			return func(env *cli.Env, args []string) error {
				if len(args) > 0 {
					return cli.Usagef("unexpected arguments %q", args)
				}
				v := buildVersion()
				if *asJSON {
					return cli.WriteJSON(env.Stdout, v)
				}
				s := fmt.Sprintf("braingo %s %s %s/%s", v.Version, v.Go, v.OS, v.Arch)
				if v.Revision != "" {
					s += " " + v.Revision
					if v.Modified {
						s += "+modified"
					}
				}
				_, err := fmt.Fprintln(env.Stdout, s)
				return err
			}
		},
	})
}

type versionInfo struct {
	Version  string `json:"version"`
	Go       string `json:"go"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: "devel", Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}
