package recipes

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// kindInfo is a registered recipe kind.
type kindInfo struct {
	name    string
	new     func() any
	typ     reflect.Type // the struct type new points to
	schema  *schema
	aliases map[string]string // short key -> dotted path
}

var (
	kindsMu sync.RWMutex
	kinds   = map[string]*kindInfo{}
)

// RegisterKind makes a recipe kind available to the loader: recipes that say
// `kind: name` are decoded into the struct that newSpec returns a pointer to.
// Call it from an init function. It panics if name is registered twice, if
// newSpec is nil or returns no pointer to a struct, or if the struct's tags
// are wrong (a field without a yaml key or help, an unsupported type, a
// default that does not parse, a clashing alias): mistakes a test catches at
// once.
//
// Fields are declared with tags:
//
//	yaml:"batch_size"    the key (required; `yaml:"-"` skips a field, and an
//	                     embedded struct without a key is inlined)
//	default:"128"        the value used when the recipe does not set it;
//	                     lists as "1,2,3", lists of sections as YAML flow
//	help:"batch size"    what it means (required, except on sections)
//	enum:"atan,sigmoid"  the only values a string (or []string) may take
//	alias:"batch_size"   a short key for --set that skips the section path
//
// A struct (the kind or a section) with a Validate() error method is checked
// after the file and the overrides are applied.
func RegisterKind(name string, newSpec func() any) {
	if !validKey(name) {
		panic(fmt.Sprintf("recipes: RegisterKind: bad kind name %q", name))
	}
	if newSpec == nil {
		panic("recipes: RegisterKind: nil constructor for kind " + name)
	}
	v := newSpec()
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("recipes: RegisterKind(%q): constructor returns %T, want a pointer to a struct", name, v))
	}
	s := schemaOf(rv.Elem().Type())
	for _, h := range headerKeys {
		if s.byKey[h] != nil {
			panic(fmt.Sprintf("recipes: RegisterKind(%q): %s has a field with key %q, which every recipe already has", name, s.typ, h))
		}
	}
	k := &kindInfo{name: name, new: newSpec, typ: rv.Elem().Type(), schema: s, aliases: map[string]string{}}
	collectAliases(k, s, "", false)
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if _, dup := kinds[name]; dup {
		panic("recipes: RegisterKind called twice for kind " + name)
	}
	kinds[name] = k
}

func collectAliases(k *kindInfo, s *schema, prefix string, inList bool) {
	for _, f := range s.fields {
		p := prefix + f.key
		if f.alias != "" {
			switch {
			case inList:
				panic(fmt.Sprintf("recipes: kind %s: %s: a field inside a list cannot have an alias", k.name, f.goName))
			case !validKey(f.alias):
				panic(fmt.Sprintf("recipes: kind %s: %s: bad alias %q", k.name, f.goName, f.alias))
			case contains(headerKeys, f.alias) || k.schema.byKey[f.alias] != nil && p != f.alias:
				panic(fmt.Sprintf("recipes: kind %s: %s: alias %q is already a top-level key", k.name, f.goName, f.alias))
			case k.aliases[f.alias] != "":
				panic(fmt.Sprintf("recipes: kind %s: alias %q names both %s and %s", k.name, f.alias, k.aliases[f.alias], p))
			}
			k.aliases[f.alias] = p
		}
		if f.kind == kStruct || f.kind == kStructSlice {
			collectAliases(k, f.sub, p+".", inList || f.kind == kStructSlice)
		}
	}
}

// Kinds returns the names of the registered kinds, sorted.
func Kinds() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewSpec returns a new spec of a registered kind with its defaults set
// (for asking what a kind can do, by type assertion).
func NewSpec(kind string) (any, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return nil, err
	}
	return k.newSpec(), nil
}

func lookupKind(name string) (*kindInfo, error) {
	kindsMu.RLock()
	k := kinds[name]
	kindsMu.RUnlock()
	if k != nil {
		return k, nil
	}
	known := Kinds()
	if len(known) == 0 {
		return nil, fmt.Errorf("unknown recipe kind %s: no kinds are registered", quote(name))
	}
	return nil, fmt.Errorf("unknown recipe kind %s%s; known kinds: %s", quote(name), didYouMean(near(name, known)), strings.Join(known, ", "))
}

// newSpec returns a fresh spec with defaults applied.
func (k *kindInfo) newSpec() any {
	v := k.new()
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Type() != k.typ {
		panic(fmt.Sprintf("recipes: constructor of kind %s returned %T, want *%s", k.name, v, k.typ))
	}
	setDefaults(rv.Elem(), k.schema)
	return v
}

// A Recipe is a loaded recipe: its header and its typed, resolved spec.
type Recipe struct {
	Kind        string // the registered kind
	Name        string // a short name: letters, digits, '.', '_', '-'
	Description string // one line
	// Spec points to the kind's struct (what RegisterKind's constructor
	// returns) with defaults, the file and the overrides applied, validated.
	Spec      any
	Source    string   // the file as named to the loader
	Overrides []string // the --set arguments applied, in order
}

// Parse decodes a recipe from data, which came from file (used in messages
// only), then applies overrides ("key=value" as given to --set) and validates
// the result. Errors are *FieldError values (joined with errors.Join when
// there are several) that name the file, line, column and dotted field.
func Parse(file string, data []byte, overrides []string) (*Recipe, error) {
	return parse(file, data, overrides, "")
}

// parse is Parse; a non-empty wantName must be the name the file declares.
func parse(file string, data []byte, overrides []string, wantName string) (*Recipe, error) {
	root, err := parseYAML(data)
	if err != nil {
		return nil, fileError(file, err)
	}
	if root == nil {
		return nil, &FieldError{Pos: Position{File: file}, Msg: "empty recipe; it needs at least kind, name and description"}
	}
	if root.Kind != yaml.MappingNode {
		return nil, &FieldError{Pos: Position{File: file, Line: root.Line, Column: root.Column}, Msg: "a recipe is a mapping of keys to values, got " + describe(root)}
	}
	var kindNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "kind" {
			kindNode = root.Content[i+1]
			break
		}
	}
	if kindNode == nil {
		return nil, &FieldError{Pos: Position{File: file}, Msg: "missing kind: say which kind of recipe this is (" + kindList() + ")"}
	}
	pos := Position{File: file, Line: kindNode.Line, Column: kindNode.Column}
	if kindNode.Kind != yaml.ScalarNode || kindNode.ShortTag() == "!!null" {
		return nil, &FieldError{Pos: pos, Field: "kind", Msg: "expects the name of a recipe kind, got " + describe(kindNode)}
	}
	k, err := lookupKind(kindNode.Value)
	if err != nil {
		return nil, &FieldError{Pos: pos, Field: "kind", Msg: err.Error()}
	}

	spec := k.newSpec()
	sv := reflect.ValueOf(spec).Elem()
	d := &decoder{base: Position{File: file}, positions: map[string]Position{}, root: k.schema, header: map[string]*yaml.Node{}}
	d.section(root, sv, k.schema, "")
	r := &Recipe{Kind: k.name, Spec: spec, Source: file, Overrides: append([]string(nil), overrides...)}
	r.Name = d.headerString("name", "a short name for the recipe, such as fmnist-snn")
	r.Description = d.headerString("description", "one line saying what the recipe does")
	if r.Name != "" && wantName != "" && r.Name != wantName {
		d.fail(d.header["name"], "name", "is %s, but this recipe is looked up as %s: make them the same", quote(r.Name), quote(wantName))
	}
	for _, o := range overrides {
		od := &decoder{base: Position{Set: o}, positions: d.positions, root: k.schema}
		od.set(k, r, sv, o)
		d.errs = append(d.errs, od.errs...)
	}
	if len(d.errs) == 0 {
		d.validate(sv, k.schema, "")
	}
	if len(d.errs) > 0 {
		return nil, joinErrors(d.errs)
	}
	return r, nil
}

func kindList() string {
	known := Kinds()
	if len(known) == 0 {
		return "no kinds are registered"
	}
	return "one of " + strings.Join(known, ", ")
}

func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// headerString returns the header key's value, checking it.
func (d *decoder) headerString(key, what string) string {
	n := d.header[key]
	if n == nil {
		d.fail(nil, "", "missing %s: %s", key, what)
		return ""
	}
	var s string
	d.scalar(n, reflect.ValueOf(&s).Elem(), kString, nil, key)
	if msg := checkHeader(key, s); msg != "" {
		d.fail(n, key, "%s", msg)
	}
	d.positions[key] = d.pos(n)
	return s
}

// checkHeader says what is wrong with a name or description, or "".
func checkHeader(key, s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text"
	}
	switch key {
	case "name":
		if !validName(s) {
			return fmt.Sprintf("%s must be letters, digits, '.', '_' and '-'", quote(s))
		}
	case "description":
		if strings.TrimSpace(s) == "" {
			return "is empty: say in one line what the recipe does"
		}
		if strings.ContainsAny(s, "\n\r") {
			return "must be one line"
		}
	}
	return ""
}

func validName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// set applies one override, "key=value", to the recipe.
func (d *decoder) set(k *kindInfo, r *Recipe, sv reflect.Value, arg string) {
	key, val, ok := strings.Cut(arg, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		d.fail(nil, "", "expects key=value, such as epochs=3")
		return
	}
	switch key {
	case "kind":
		d.fail(nil, key, "cannot be overridden; load a recipe of the other kind")
		return
	case "name", "description":
		if msg := checkHeader(key, val); msg != "" {
			d.fail(nil, key, "%s", msg)
			return
		}
		if key == "name" {
			r.Name = val
		} else {
			r.Description = val
		}
		return
	}
	segs := strings.Split(key, ".")
	if p, ok := k.aliases[segs[0]]; ok {
		segs = append(strings.Split(p, "."), segs[1:]...)
	}
	v, s, path := sv, k.schema, ""
	for i := 0; i < len(segs); i++ {
		f := s.byKey[segs[i]]
		if f == nil {
			d.unknownSet(k, s, path, segs[i])
			return
		}
		path = join(path, f.key)
		fv := v.FieldByIndex(f.index)
		if i == len(segs)-1 {
			d.setText(fv, f, val, path)
			d.positions[path] = d.base
			return
		}
		switch f.kind {
		case kStruct:
			v, s = fv, f.sub
			continue
		case kStructSlice, kScalarSlice:
		default:
			d.fail(nil, path, "is %s, not a section or list: nothing is under it", article(typeName(f)))
			return
		}
		// A list index: layers.1.size, or layers.2 to append a third item.
		i++
		idx, err := strconv.Atoi(segs[i])
		if err != nil || idx < 0 {
			d.fail(nil, path, "is a list: after it comes an index 0, 1, ..., got %s", quote(segs[i]))
			return
		}
		if idx > fv.Len() {
			d.fail(nil, path, "has %d items: index %d is out of range (index %d adds an item)", fv.Len(), idx, fv.Len())
			return
		}
		if idx == fv.Len() {
			e := reflect.New(fv.Type().Elem()).Elem()
			if f.kind == kStructSlice {
				setDefaults(e, f.sub)
			}
			fv.Set(reflect.Append(fv, e))
		}
		path = join(path, segs[i])
		el := fv.Index(idx)
		last := i == len(segs)-1
		switch {
		case f.kind == kScalarSlice && last:
			if msg := parseScalar(el, f.elem, f.enum, val); msg != "" {
				d.fail(nil, path, "%s", msg)
			}
		case f.kind == kScalarSlice:
			d.fail(nil, path, "is %s, not a section: nothing is under it", article(kindName(f.elem)))
		case last:
			// A whole item in YAML flow: layers.1={size: 10}.
			d.setText(el, &field{key: f.key, typ: el.Type(), kind: kStruct, sub: f.sub}, val, path)
		default:
			v, s = el, f.sub
			continue
		}
		d.positions[path] = d.base
		return
	}
}

// unknownSet reports key, which is not a field of section s at path.
func (d *decoder) unknownSet(k *kindInfo, s *schema, path, key string) {
	if path == "" {
		// At the top, the short keys are valid too.
		cands := append(append(append([]string(nil), headerKeys...), s.keys()...), sortedKeys(k.aliases)...)
		if sugg := near(key, cands); len(sugg) > 0 {
			d.fail(nil, key, "unknown key%s", didYouMean(sugg))
			return
		}
	}
	d.unknown(nil, path, s, key)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validate runs the Validate methods of v's sections, innermost first, then v's.
func (d *decoder) validate(v reflect.Value, s *schema, path string) {
	for _, f := range s.fields {
		fv := v.FieldByIndex(f.index)
		if f.rng != nil {
			p := join(path, f.key)
			if f.kind == kScalarSlice {
				for i := range fv.Len() {
					if msg := f.rng.check(number(fv.Index(i))); msg != "" {
						d.errs = append(d.errs, &FieldError{Pos: d.posOf(p), Field: p + "." + strconv.Itoa(i), Msg: msg})
					}
				}
			} else if msg := f.rng.check(number(fv)); msg != "" {
				d.errs = append(d.errs, &FieldError{Pos: d.posOf(p), Field: p, Msg: msg})
			}
		}
		switch f.kind {
		case kStruct:
			d.validate(fv, f.sub, join(path, f.key))
		case kStructSlice:
			for i := range fv.Len() {
				d.validate(fv.Index(i), f.sub, join(path, f.key)+"."+strconv.Itoa(i))
			}
		}
	}
	if !s.validates || len(d.errs) >= maxErrors {
		return
	}
	err := v.Addr().Interface().(Validator).Validate()
	if err == nil {
		return
	}
	field, msg := path, err.Error()
	var fe *FieldError
	if errors.As(err, &fe) && fe.Pos == (Position{}) {
		field, msg = join(path, fe.Field), fe.Msg
	}
	d.errs = append(d.errs, &FieldError{Pos: d.posOf(field), Field: field, Msg: msg, Err: err})
}

// posOf is where path, or failing that its nearest enclosing section, was set.
func (d *decoder) posOf(path string) Position {
	for p := path; p != ""; {
		if pos, ok := d.positions[p]; ok {
			return pos
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return Position{File: d.base.File}
}

// article prefixes a type name with "a" or "an".
func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
