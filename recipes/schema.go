package recipes

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// vkind classifies the Go types a recipe field may have.
type vkind int

const (
	kString vkind = iota
	kBool
	kInt
	kUint
	kFloat
	kDuration
	kStruct      // a section: a nested struct
	kScalarSlice // a list of scalars: []int, []float64, []string, ...
	kStructSlice // a list of sections: []LayerSpec
)

var durationType = reflect.TypeFor[time.Duration]()

// field is one keyed field of a recipe struct, read from its tags.
type field struct {
	key    string // the yaml key
	goName string // Type.Field, for panic messages
	index  []int  // for reflect.Value.FieldByIndex (inline structs flattened)
	typ    reflect.Type
	kind   vkind
	elem   vkind   // element kind of a kScalarSlice
	sub    *schema // kStruct, kStructSlice
	def    string
	hasDef bool
	help   string
	enum   []string
	alias  string
	rng    *bounds // from the range tag; nil: any value
}

// bounds is a field's range tag: an interval such as "[1,)", "(0,1]" or
// "[0,100]"; an empty end is unbounded. A field with a range must also be
// finite.
type bounds struct {
	lo, hi         float64
	hasLo, hasHi   bool
	openLo, openHi bool
	text           string
}

// parseBounds reads a range tag; ok is false for a malformed one.
func parseBounds(tag string) (*bounds, bool) {
	t := strings.TrimSpace(tag)
	if len(t) < 3 || !strings.Contains("[(", t[:1]) || !strings.Contains("])", t[len(t)-1:]) {
		return nil, false
	}
	lo, hi, found := strings.Cut(t[1:len(t)-1], ",")
	if !found {
		return nil, false
	}
	b := &bounds{openLo: t[0] == '(', openHi: t[len(t)-1] == ')', text: t}
	var err error
	if lo = strings.TrimSpace(lo); lo != "" {
		if b.lo, err = strconv.ParseFloat(lo, 64); err != nil {
			return nil, false
		}
		b.hasLo = true
	}
	if hi = strings.TrimSpace(hi); hi != "" {
		if b.hi, err = strconv.ParseFloat(hi, 64); err != nil {
			return nil, false
		}
		b.hasHi = true
	}
	return b, true
}

// check says what is wrong with x, or "".
func (b *bounds) check(x float64) string {
	bad := math.IsNaN(x) || math.IsInf(x, 0) ||
		b.hasLo && (x < b.lo || b.openLo && x == b.lo) ||
		b.hasHi && (x > b.hi || b.openHi && x == b.hi)
	if !bad {
		return ""
	}
	return fmt.Sprintf("must be in %s, got %v", b.describe(), x)
}

// describe writes the interval for people: [1, ∞), (0, 1].
func (b *bounds) describe() string {
	lo, hi := "−∞", "∞"
	if b.hasLo {
		lo = strconv.FormatFloat(b.lo, 'g', -1, 64)
	}
	if b.hasHi {
		hi = strconv.FormatFloat(b.hi, 'g', -1, 64)
	}
	l, r := "[", "]"
	if b.openLo || !b.hasLo {
		l = "("
	}
	if b.openHi || !b.hasHi {
		r = ")"
	}
	return l + lo + ", " + hi + r
}

// schema is the list of keyed fields of a struct type.
type schema struct {
	typ    reflect.Type
	fields []*field
	byKey  map[string]*field
	// validates reports whether *typ has a Validate() error method.
	validates bool
}

func (s *schema) keys() []string {
	keys := make([]string, len(s.fields))
	for i, f := range s.fields {
		keys[i] = f.key
	}
	return keys
}

// A Validator is a recipe struct (a kind or one of its sections) that checks
// itself after defaults, the file and the overrides are applied. Validate
// methods run innermost first. To point at one field, return Invalid.
type Validator interface {
	Validate() error
}

var validatorType = reflect.TypeFor[Validator]()

var (
	schemaMu sync.Mutex
	schemas  = map[reflect.Type]*schema{}
)

// schemaOf returns the schema of struct type t, building and checking it on
// first use. A badly declared struct is a programmer error: it panics.
func schemaOf(t reflect.Type) *schema {
	schemaMu.Lock()
	defer schemaMu.Unlock()
	return buildSchema(t, map[reflect.Type]bool{})
}

func buildSchema(t reflect.Type, building map[reflect.Type]bool) *schema {
	if s, ok := schemas[t]; ok {
		return s
	}
	if building[t] {
		panic(fmt.Sprintf("recipes: %s contains itself", t))
	}
	building[t] = true
	defer delete(building, t)
	s := &schema{typ: t, byKey: map[string]*field{}, validates: reflect.PointerTo(t).Implements(validatorType)}
	addFields(s, t, nil, building)
	schemas[t] = s
	// Check every default now, so a bad tag panics at registration rather
	// than when a user loads a recipe.
	for _, f := range s.fields {
		if f.hasDef {
			v := reflect.New(f.typ).Elem()
			if err := setDefault(v, f); err != nil {
				delete(schemas, t)
				panic(fmt.Sprintf("recipes: %s: bad default %q: %v", f.goName, f.def, err))
			}
		}
	}
	return s
}

func addFields(s *schema, t reflect.Type, index []int, building map[reflect.Type]bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		goName := t.Name() + "." + sf.Name
		tag, hasTag := sf.Tag.Lookup("yaml")
		key, opts, _ := strings.Cut(tag, ",")
		embedded := sf.Anonymous && sf.Type.Kind() == reflect.Struct
		if tag == "-" || !sf.IsExported() && !embedded {
			continue // the exported fields of an unexported embedded struct still count
		}
		idx := append(append([]int(nil), index...), i)
		if embedded && key == "" || opts == "inline" {
			if sf.Type.Kind() != reflect.Struct {
				panic(fmt.Sprintf("recipes: %s: only structs can be inlined", goName))
			}
			addFields(s, sf.Type, idx, building)
			continue
		}
		if !hasTag || key == "" {
			panic(fmt.Sprintf("recipes: %s has no yaml key: add a tag such as `yaml:\"%s\"`", goName, snake(sf.Name)))
		}
		if !validKey(key) {
			panic(fmt.Sprintf("recipes: %s: yaml key %q must be a name of letters, digits, '_' and '-' that is not a number", goName, key))
		}
		if _, dup := s.byKey[key]; dup {
			panic(fmt.Sprintf("recipes: %s: yaml key %q is used twice in %s", goName, key, s.typ))
		}
		f := &field{key: key, goName: goName, index: idx, typ: sf.Type, help: sf.Tag.Get("help"), alias: sf.Tag.Get("alias")}
		f.def, f.hasDef = sf.Tag.Lookup("default")
		if e := sf.Tag.Get("enum"); e != "" {
			for _, v := range strings.Split(e, ",") {
				f.enum = append(f.enum, strings.TrimSpace(v))
			}
		}
		if rt, ok := sf.Tag.Lookup("range"); ok {
			b, ok := parseBounds(rt)
			if !ok {
				panic(fmt.Sprintf("recipes: %s: range tag %q is not an interval such as [1,) or (0,1]", goName, rt))
			}
			f.rng = b
		}
		switch k, ok := scalarKind(sf.Type); {
		case ok:
			f.kind = k
		case sf.Type.Kind() == reflect.Struct:
			f.kind = kStruct
			f.sub = buildSchema(sf.Type, building)
			if f.hasDef {
				panic(fmt.Sprintf("recipes: %s: a section takes no default; put defaults on its fields", goName))
			}
		case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct && sf.Type.Elem() != durationType:
			f.kind = kStructSlice
			f.sub = buildSchema(sf.Type.Elem(), building)
		case sf.Type.Kind() == reflect.Slice:
			ek, ok := scalarKind(sf.Type.Elem())
			if !ok {
				panic(fmt.Sprintf("recipes: %s has unsupported type %s", goName, sf.Type))
			}
			f.kind, f.elem = kScalarSlice, ek
		default:
			panic(fmt.Sprintf("recipes: %s has unsupported type %s (use string, bool, ints, floats, time.Duration, structs and slices of them)", goName, sf.Type))
		}
		if f.kind != kStruct && f.help == "" {
			panic(fmt.Sprintf("recipes: %s has no help tag: say what %q means", goName, key))
		}
		if f.rng != nil && !(numeric(f.kind) || f.kind == kScalarSlice && numeric(f.elem)) {
			panic(fmt.Sprintf("recipes: %s: range is only for numbers and lists of numbers", goName))
		}
		if f.enum != nil && !(f.kind == kString || f.kind == kScalarSlice && f.elem == kString) {
			panic(fmt.Sprintf("recipes: %s: enum is only for strings and lists of strings", goName))
		}
		s.fields = append(s.fields, f)
		s.byKey[key] = f
	}
}

func numeric(k vkind) bool { return k == kInt || k == kUint || k == kFloat }

// number is the value of a numeric field as a float64.
func number(v reflect.Value) float64 {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint())
	}
	return v.Float()
}

func scalarKind(t reflect.Type) (vkind, bool) {
	if t == durationType {
		return kDuration, true
	}
	switch t.Kind() {
	case reflect.String:
		return kString, true
	case reflect.Bool:
		return kBool, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kInt, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return kUint, true
	case reflect.Float32, reflect.Float64:
		return kFloat, true
	}
	return 0, false
}

func validKey(key string) bool {
	if key == "" {
		return false
	}
	if _, err := strconv.Atoi(key); err == nil {
		return false
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// snake turns a Go field name into a suggested yaml key: BatchSize -> batch_size.
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// setDefault parses f's default tag into v.
func setDefault(v reflect.Value, f *field) error {
	d := &decoder{base: Position{}, positions: map[string]Position{}}
	d.setText(v, f, f.def, f.key)
	if len(d.errs) > 0 {
		return d.errs[0].(*FieldError).cause()
	}
	return nil
}

// SetDefaults sets every zero-valued field of the struct that v points to,
// and of its sections and list items, to the value in its default tag. It
// panics if v is not a pointer to a struct with valid recipe tags.
//
// The loader applies defaults to a fresh struct before it reads the file, so
// a value written in a recipe wins even when it is the zero value.
func SetDefaults(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("recipes: SetDefaults of %T, want a pointer to a struct", v))
	}
	setDefaults(rv.Elem(), schemaOf(rv.Elem().Type()))
}

func setDefaults(v reflect.Value, s *schema) {
	for _, f := range s.fields {
		fv := v.FieldByIndex(f.index)
		switch f.kind {
		case kStruct:
			setDefaults(fv, f.sub)
			continue
		case kStructSlice:
			if fv.Len() == 0 && f.hasDef {
				if err := setDefault(fv, f); err != nil {
					panic(fmt.Sprintf("recipes: %s: bad default %q: %v", f.goName, f.def, err))
				}
			}
			for i := range fv.Len() {
				setDefaults(fv.Index(i), f.sub)
			}
			continue
		}
		if f.hasDef && fv.IsZero() {
			if err := setDefault(fv, f); err != nil {
				panic(fmt.Sprintf("recipes: %s: bad default %q: %v", f.goName, f.def, err))
			}
		}
	}
}

// A Field describes one key of a recipe kind, for help output.
type Field struct {
	Key     string   // dotted key as --set takes it: "optim.lr", "layers.<i>.size"
	Type    string   // int, float, bool, string, duration, []int, []float, []string, list (of sections) or section
	Default string   // the default in --set syntax; "" for sections
	Help    string   // what the field means
	Enum    []string // the allowed values, if restricted
	Alias   string   // a short key --set also accepts, if any
}

// Fields lists the keys of a registered kind in declaration order, with their
// types, defaults and descriptions: the data behind `braingo recipes help`.
// The header keys kind, name and description are not listed.
func Fields(kind string) ([]Field, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return nil, err
	}
	v := reflect.ValueOf(k.newSpec()).Elem()
	var out []Field
	listFields(&out, v, k.schema, "")
	return out, nil
}

func listFields(out *[]Field, v reflect.Value, s *schema, prefix string) {
	for _, f := range s.fields {
		key := prefix + f.key
		fv := v.FieldByIndex(f.index)
		row := Field{Key: key, Type: typeName(f), Help: f.help, Enum: f.enum, Alias: f.alias}
		if f.kind != kStruct {
			row.Default = formatSet(fv, f)
		}
		*out = append(*out, row)
		switch f.kind {
		case kStruct:
			listFields(out, fv, f.sub, key+".")
		case kStructSlice:
			ev := reflect.New(f.typ.Elem()).Elem()
			setDefaults(ev, f.sub)
			listFields(out, ev, f.sub, key+".<i>.")
		}
	}
}

func typeName(f *field) string {
	switch f.kind {
	case kStruct:
		return "section"
	case kStructSlice:
		return "list"
	case kScalarSlice:
		return "[]" + kindName(f.elem)
	}
	return kindName(f.kind)
}

func kindName(k vkind) string {
	switch k {
	case kString:
		return "string"
	case kBool:
		return "bool"
	case kInt:
		return "int"
	case kUint:
		return "uint"
	case kFloat:
		return "float"
	case kDuration:
		return "duration"
	}
	return "?"
}
