package recipes

import (
	"fmt"
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
		if f.enum != nil && !(f.kind == kString || f.kind == kScalarSlice && f.elem == kString) {
			panic(fmt.Sprintf("recipes: %s: enum is only for strings and lists of strings", goName))
		}
		s.fields = append(s.fields, f)
		s.byKey[key] = f
	}
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
