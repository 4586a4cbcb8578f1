package recipes

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/braingo/braingo/internal/fileio"
	"gopkg.in/yaml.v3"
)

// builtinFS holds the recipes that ship in the binary: builtin/NAME.yaml.
//
//go:embed builtin
var builtinFS embed.FS

// Builtin is the catalogue of embedded recipes, recipes/builtin/*.yaml.
var Builtin = NewCatalogue(builtinFS, "builtin")

// A Catalogue is a set of named recipes: the files NAME.yaml (or NAME.yml)
// in one directory of a file system, such as an embed.FS.
type Catalogue struct {
	fsys fs.FS
	dir  string
}

// NewCatalogue returns the catalogue of the recipe files in directory dir
// of fsys. The files are named dir/NAME.yaml in messages.
func NewCatalogue(fsys fs.FS, dir string) *Catalogue {
	return &Catalogue{fsys: fsys, dir: dir}
}

// An Entry is one recipe of a catalogue, for `braingo recipes`.
type Entry struct {
	Name        string // the name Load takes: the file name without .yaml
	Kind        string
	Description string
	File        string // dir/NAME.yaml
}

// files maps recipe names to file paths in c.fsys.
func (c *Catalogue) files() (map[string]string, error) {
	ents, err := fs.ReadDir(c.fsys, c.dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok {
			name, ok = strings.CutSuffix(e.Name(), ".yml")
		}
		if !ok || e.IsDir() {
			continue
		}
		if prev, dup := out[name]; dup {
			return nil, fmt.Errorf("recipes %s and %s have the same name", prev, e.Name())
		}
		out[name] = path.Join(c.dir, e.Name())
	}
	return out, nil
}

// Names returns the names of the catalogue's recipes, sorted.
func (c *Catalogue) Names() ([]string, error) {
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	return sortedKeys(files), nil
}

// List returns the catalogue's recipes sorted by name, reading only their
// headers (kind, name, description).
func (c *Catalogue) List() ([]Entry, error) {
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, name := range sortedKeys(files) {
		file := files[name]
		data, err := fs.ReadFile(c.fsys, file)
		if err != nil {
			return nil, err
		}
		root, err := parseYAML(data)
		if err != nil {
			return nil, fileError(file, err)
		}
		e := Entry{Name: name, File: file}
		if root != nil && root.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(root.Content); i += 2 {
				k, v := root.Content[i], root.Content[i+1]
				if v.Kind != yaml.ScalarNode {
					continue
				}
				switch k.Value {
				case "kind":
					e.Kind = v.Value
				case "description":
					e.Description = v.Value
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// IsPath reports whether Load treats s as a file path rather than a recipe
// name: it contains a path separator or ends in .yaml or .yml.
func IsPath(s string) bool {
	return strings.ContainsRune(s, '/') || strings.ContainsRune(s, os.PathSeparator) ||
		strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".yml")
}

// MaxFileSize bounds a recipe file: recipes are a few kilobytes, so
// anything this large is not one.
const MaxFileSize = 16 << 20

// Load loads the recipe nameOrPath — a file if IsPath says so, else one of
// the catalogue's names — and applies overrides ("key=value", as --set takes
// them). See Parse for the errors.
func (c *Catalogue) Load(nameOrPath string, overrides []string) (*Recipe, error) {
	if IsPath(nameOrPath) {
		data, err := fileio.ReadFileCapped(nameOrPath, MaxFileSize)
		if err != nil {
			if base := strings.TrimSuffix(strings.TrimSuffix(path.Base(nameOrPath), ".yaml"), ".yml"); os.IsNotExist(err) && base != "" {
				if files, _ := c.files(); files[base] != "" {
					err = fmt.Errorf("%w (the embedded recipe is named %s, without .yaml)", err, base)
				}
			}
			return nil, err
		}
		return Parse(nameOrPath, data, overrides)
	}
	files, err := c.files()
	if err != nil {
		return nil, err
	}
	file, ok := files[nameOrPath]
	if !ok {
		names := sortedKeys(files)
		msg := fmt.Sprintf("no recipe named %s%s", quote(nameOrPath), didYouMean(near(nameOrPath, names)))
		if len(names) == 0 {
			msg += "; there are no embedded recipes"
		} else {
			msg += "; embedded recipes: " + strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("%s; a file path needs a / or a .yaml ending, such as ./%s.yaml", msg, nameOrPath)
	}
	data, err := fs.ReadFile(c.fsys, file)
	if err != nil {
		return nil, err
	}
	return parse(file, data, overrides, nameOrPath)
}

// Load loads an embedded recipe by name, or a recipe file by path, and
// applies overrides: Builtin.Load.
func Load(nameOrPath string, overrides []string) (*Recipe, error) {
	return Builtin.Load(nameOrPath, overrides)
}

// List lists the embedded recipes: Builtin.List.
func List() ([]Entry, error) {
	return Builtin.List()
}
