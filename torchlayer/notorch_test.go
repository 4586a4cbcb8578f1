//go:build !torch

package torchlayer_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/braingo/braingo/torchlayer"
)

// TestDefaultBuildHasNoLibtorch: without the torch tag, neither gotch nor
// any cgo file of this package enters the braingo command.
func TestDefaultBuildHasNoLibtorch(t *testing.T) {
	if torchlayer.Available {
		t.Fatal("Available is true in a build without the torch tag")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/braingo/braingo/cmd/braingo").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	deps := string(out)
	if !strings.Contains(deps, "github.com/braingo/braingo/torchlayer") {
		t.Fatal("cmd/braingo does not depend on torchlayer: the check below proves nothing")
	}
	if strings.Contains(deps, "sugarme/gotch") {
		t.Errorf("the default build of cmd/braingo depends on gotch:\n%s", deps)
	}
	cgo, err := exec.Command("go", "list", "-f", "{{.CgoFiles}}{{.CXXFiles}}", "github.com/braingo/braingo/torchlayer").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, cgo)
	}
	if s := strings.TrimSpace(string(cgo)); s != "[][]" {
		t.Errorf("torchlayer has cgo or C++ files in the default build: %s", s)
	}
}
