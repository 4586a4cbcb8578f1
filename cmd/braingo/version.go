package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/braingo/braingo/gpu"
	"github.com/braingo/braingo/internal/cli"
)

func init() {
	register(&cli.Command{
		Name:  "version",
		Short: "print braingo's version",
		Long: `Version prints braingo's version, the Go version that built it and the
platform, and the source revision when the build recorded one.

With --json it prints one object with the keys version, go, os, arch and
(when known) revision and modified.

bin/braingo-cuda (make cuda) also lists the CUDA driver and the GPUs with
their memory, or says that there is no usable GPU (and still exits 0); with
--json under the key cuda: driver, devices, and error when there is none.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			asJSON := fs.Bool("json", false, "print one JSON object")
			return func(env *cli.Env, args []string) error {
				if len(args) > 0 {
					return cli.Usagef("unexpected arguments %q", args)
				}
				v := buildVersion()
				v.CUDA = cudaVersion()
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
				if _, err := fmt.Fprintln(env.Stdout, s); err != nil {
					return err
				}
				if c := v.CUDA; c != nil {
					drv := "driver " + c.Driver
					if c.Driver == "" {
						drv = "no driver"
					}
					if c.Error != "" {
						_, err := fmt.Fprintf(env.Stdout, "cuda: %s; no usable GPU, runs use the CPU (%s)\n", drv, c.Error)
						return err
					}
					for _, d := range c.Devices {
						if _, err := fmt.Fprintf(env.Stdout, "cuda: %s; GPU %s\n", drv, d); err != nil {
							return err
						}
					}
				}
				return nil
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
	// CUDA is set in builds with a GPU backend (make cuda).
	CUDA *cudaInfo `json:"cuda,omitempty"`
}

type cudaInfo struct {
	Driver  string     `json:"driver"`
	Devices []gpu.Info `json:"devices"`
	Error   string     `json:"error,omitempty"`
}

// cudaVersion lists the GPUs in a build with a GPU backend; nil otherwise.
func cudaVersion() *cudaInfo {
	if ok, _ := gpu.Built(); !ok {
		return nil
	}
	devs, drv, err := gpu.Devices()
	c := &cudaInfo{Driver: drv, Devices: devs}
	if c.Devices == nil {
		c.Devices = []gpu.Info{}
	}
	if err != nil {
		c.Error = err.Error()
	} else if len(devs) == 0 {
		c.Error = "no GPU"
	}
	return c
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
