package braingo_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A program importing braingo's public packages passes go mod tidy and go
// build. go mod tidy reads files of every build tag, so it sees the torch
// build's import of gotch: braingo's go.mod pins it (v0.7.0, the version
// make torch patches), or tidy would fail where the module proxy refuses
// gotch's newest version and pick an unpinned one elsewhere. The default
// build of the program links no gotch.
func TestLibraryUserTidy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module (about a minute)")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "libuser", "main.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	mod := "module example.com/libuser\n\ngo 1.26.0\n\nrequire github.com/braingo/braingo v0.0.0\n\nreplace github.com/braingo/braingo => " + root + "\n"
	for name, data := range map[string][]byte{"main.go": src, "go.mod": []byte(mod)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	for _, args := range [][]string{{"mod", "tidy"}, {"build", "-o", filepath.Join(dir, "libuser"), "."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	deps := exec.Command("go", "list", "-deps", ".")
	deps.Dir, deps.Env = dir, env
	out, err := deps.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "sugarme/gotch") {
		t.Errorf("the library user's default build links gotch")
	}
	out, err = exec.Command(filepath.Join(dir, "libuser")).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "snn-classify 1" {
		t.Errorf("the program printed %q (%v)", out, err)
	}
}
