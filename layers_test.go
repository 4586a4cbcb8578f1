package braingo_test

// The layering test (STYLE item 1): every project package's non-test imports
// must point down the layer table of DESIGN.md. It reads the source with
// go/parser, so it sees files behind every build tag (a torch or cuda backend
// obeys the same layers as the default build).

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// layers lists each layer (a package path relative to the module, covering
// its subpackages unless they have a row of their own) and the layers it may
// import, spelled out transitively. Packages of the same layer may import
// each other. An internal/* helper may be imported by any layer that may
// import everything the helper imports (it sits below its users); an
// internal/NAME without a row of its own may import no project package.
//
// Keep this table in step with the layer table of DESIGN.md.
var layers = map[string][]string{
	"kernels":        {},
	"kernels/kbench": {"kernels"}, // the kernel benchmark suite: kernels must not import it
	"tensor":         {"kernels"},
	// device kernels (cuda build tag: gorgonia.org/cu; cudaemu: a CPU emulator)
	"gpu":       {"kernels"},
	"surrogate": {"tensor", "kernels"},
	"snn":       {"surrogate", "tensor", "kernels"},
	"networks":  {"snn", "surrogate", "tensor", "kernels"},
	// libtorch layers on the tape (torch build tag; cgo through gotch)
	"torchlayer": {"networks", "snn", "surrogate", "tensor", "kernels"},
	"optim":      {"tensor", "kernels"},
	"losses":     {"tensor", "kernels"}, // objectives on a tape, beside optim
	"checkpoint": {"tensor", "kernels"}, // named float32 arrays + metadata on disk
	"tasks":      {"kernels"},
	"datasets":   {"kernels"},
	"trainer":    {"networks", "optim", "losses", "checkpoint", "tasks", "datasets", "snn", "surrogate", "tensor", "kernels"},
	"eval":       {"trainer", "networks", "optim", "losses", "checkpoint", "tasks", "datasets", "snn", "surrogate", "tensor", "kernels"},
	"nir":        {"networks", "checkpoint", "snn", "surrogate", "tensor", "kernels"}, // NIR files, beside eval
	// the recipe language: YAML into typed specs; no project package
	"recipes": {},
	// the run kinds and the run directory: everything below the CLI (gpu:
	// training on the device, RunOptions.Device)
	"kinds": {"gpu", "recipes", "torchlayer", "nir", "eval", "trainer", "networks", "optim", "losses", "checkpoint", "tasks", "datasets", "snn", "surrogate", "tensor", "kernels"},
	"cmd": {"kinds", "gpu", "torchlayer", "recipes", "nir", "eval", "trainer", "networks", "optim", "losses", "checkpoint", "tasks", "datasets", "snn", "surrogate",
		"tensor", "kernels", "kernels/kbench", "internal/cli"},
	"internal/cli":    {},
	"internal/golden": {}, // loads ../shared/golden for tests
	// the tutorials: programs on the exported API, beside the CLI (nothing imports them)
	"examples": {"kinds", "recipes", "nir", "eval", "trainer", "networks", "optim", "losses", "checkpoint", "tasks", "datasets", "snn", "surrogate", "tensor", "kernels"},
}

// external lists the modules outside the standard library and the lowest
// layers that may import them: those layers and every layer that may import
// one of them. "*" means any layer. Anything heavy stays near the top.
var external = map[string][]string{
	"golang.org/x/sys":                  {"*"},
	"golang.org/x/term":                 {"trainer", "internal/cli"}, // terminal detection for progress output
	"github.com/schollz/progressbar/v3": {"trainer", "internal/cli"}, // the trainer's progress hook
	"github.com/olekukonko/tablewriter": {"eval", "internal/cli"},
	"gonum.org/v1/plot":                 {"eval"},
	"gonum.org/v1/gonum":                {"trainer"},    // Cholesky solve of the ridge readout
	"gopkg.in/yaml.v3":                  {"recipes"},    // recipe files, with line numbers for errors
	"github.com/sugarme/gotch":          {"torchlayer"}, // libtorch, only in builds with the torch tag
	"gorgonia.org/cu":                   {"gpu"},        // the CUDA driver API, only in builds with the cuda tag
}

// mayUseExternal reports whether layer may import a module whose lowest
// layers are who.
func mayUseExternal(layer string, who []string) bool {
	for _, w := range who {
		if w == "*" || w == layer || slices.Contains(layers[layer], w) {
			return true
		}
	}
	return false
}

func TestLayerTable(t *testing.T) {
	for mod, who := range external {
		for _, w := range who {
			if _, ok := layers[w]; !ok && w != "*" {
				t.Errorf("external[%q] names %q, which has no row in layers", mod, w)
			}
		}
	}
	for l, may := range layers {
		for _, m := range may {
			if _, ok := layers[m]; !ok {
				t.Errorf("layers[%q] names %q, which has no row", l, m)
			}
			if slices.Contains(layers[m], l) {
				t.Errorf("layers %q and %q may import each other", l, m)
			}
		}
	}
}

func TestLayers(t *testing.T) {
	module := modulePath(t)
	imports := projectImports(t)
	if len(imports) == 0 {
		t.Fatal("found no Go packages")
	}
	pkgs := make([]string, 0, len(imports))
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		layer, ok := layerOf(pkg)
		if !ok {
			t.Errorf("package %s is in no layer: add a row to layers in layers_test.go saying what it may import (see DESIGN.md)", pkg)
			continue
		}
		for _, imp := range imports[pkg] {
			if msg := checkImport(module, pkg, layer, imp.path); msg != "" {
				t.Errorf("%s: %s", imp.pos, msg)
			}
		}
	}
}

// checkImport returns why pkg (in layer) may not import imp, or "".
func checkImport(module, pkg, layer, imp string) string {
	rel, inModule := strings.CutPrefix(imp, module+"/")
	if !inModule {
		if imp == module {
			return fmt.Sprintf("package %s imports the module root %s", pkg, imp)
		}
		first, _, _ := strings.Cut(imp, "/")
		if !strings.Contains(first, ".") {
			return "" // standard library
		}
		for mod, who := range external {
			if imp == mod || strings.HasPrefix(imp, mod+"/") {
				if mayUseExternal(layer, who) {
					return ""
				}
				return fmt.Sprintf("package %s (layer %s) imports %s, which only layers %v and those above them may use; keep heavy dependencies near the top, or change external in layers_test.go",
					pkg, layer, imp, who)
			}
		}
		return fmt.Sprintf("package %s imports %s, a module not listed in external in layers_test.go; list it with the layers that may use it", pkg, imp)
	}
	target, ok := layerOf(rel)
	if !ok {
		return fmt.Sprintf("package %s imports %s, which is in no layer of layers_test.go", pkg, rel)
	}
	if target == layer || slices.Contains(layers[layer], target) {
		return ""
	}
	if strings.HasPrefix(target, "internal/") && subset(layers[target], append([]string{layer}, layers[layer]...)) {
		return ""
	}
	return fmt.Sprintf("package %s (layer %s) imports %s (layer %s), an upward or sideways import: layer %s may import only %v (DESIGN.md, layer table)",
		pkg, layer, rel, target, layer, layers[layer])
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// layerOf returns the row of layers that covers pkg (a path relative to the
// module): the longest row that is pkg or a parent of it.
func layerOf(pkg string) (string, bool) {
	for p := pkg; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if _, ok := layers[p]; ok {
			return p, true
		}
		if path.Dir(p) == "internal" {
			return p, true // a helper without a row: layers[p] is empty
		}
	}
	return "", false
}

type importSite struct {
	path string
	pos  token.Position
}

// projectImports maps each package directory (relative to the module root)
// to the imports of its non-test Go files, skipping testdata, hidden
// directories, nested modules and files built only with the "ignore" tag (generators).
func projectImports(t *testing.T) map[string][]importSite {
	t.Helper()
	out := make(map[string][]importSite)
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); p != "." && err == nil {
				return filepath.SkipDir // another module (make torch's build/gotch), as go's ./... skips it
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		for _, cg := range f.Comments {
			if cg.Pos() >= f.Package {
				break
			}
			for _, c := range cg.List {
				if strings.TrimSpace(c.Text) == "//go:build ignore" {
					return nil
				}
			}
		}
		dir := filepath.ToSlash(filepath.Dir(p))
		for _, s := range f.Imports {
			ip, err := strconv.Unquote(s.Path.Value)
			if err != nil {
				return err
			}
			out[dir] = append(out[dir], importSite{ip, fset.Position(s.Pos())})
		}
		if _, ok := out[dir]; !ok {
			out[dir] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func modulePath(t *testing.T) string {
	t.Helper()
	f, err := os.Open("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}

// The checker itself: a few edges it must allow and refuse.
func TestCheckImport(t *testing.T) {
	const mod = "example.com/m"
	for _, tc := range []struct {
		pkg, imp string
		ok       bool
	}{
		{"tensor", mod + "/kernels", true},
		{"kernels", mod + "/tensor", false},
		{"kernels", mod + "/kernels/kbench", false},
		{"kernels/kbench", mod + "/kernels", true},
		{"kernels/internal/asm", mod + "/kernels", true},
		{"networks", mod + "/surrogate", true},
		{"tasks", mod + "/tensor", false},
		{"optim", mod + "/snn", false},
		{"trainer", mod + "/eval", false},
		{"cmd/braingo", mod + "/recipes", true},
		{"cmd/braingo", mod + "/internal/cli", true},
		{"kernels", mod + "/internal/cli", true}, // a helper importing nothing sits below everyone
		{"snn", mod + "/cmd/braingo", false},
		{"snn", mod + "/nosuch", false},
		{"snn", mod + "/internal/newhelper", true},
		{"internal/newhelper", mod + "/tensor", false},
		{"snn", "fmt", true},
		{"snn", "golang.org/x/sys/cpu", true},
		{"snn", "github.com/olekukonko/tablewriter", false},
		{"trainer", "github.com/schollz/progressbar/v3", true},
		{"kinds", "github.com/schollz/progressbar/v3", true},
		{"recipes", "github.com/schollz/progressbar/v3", false},
		{"recipes", mod + "/eval", false},
		{"networks", "github.com/schollz/progressbar/v3", false},
		{"eval", "gonum.org/v1/plot/plotter", true},
		{"trainer", "gonum.org/v1/plot", false},
		{"cmd/braingo", "github.com/olekukonko/tablewriter/tw", true},
		{"tensor", "github.com/unknown/module", false},
	} {
		layer, _ := layerOf(tc.pkg)
		msg := checkImport(mod, tc.pkg, layer, tc.imp)
		if (msg == "") != tc.ok {
			t.Errorf("%s importing %s: message %q, want allowed=%v", tc.pkg, tc.imp, msg, tc.ok)
		}
	}
}
