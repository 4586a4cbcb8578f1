package recipes

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EchoFile is the name of the resolved recipe that WriteFile puts in a run
// directory.
const EchoFile = "recipe.yaml"

// Echo writes the fully resolved recipe as YAML: every field present, with
// its description as a comment and its default where the value differs.
// Parsing the output gives back an identical Spec, so a run can be repeated
// exactly from its echo.
func (r *Recipe) Echo() []byte {
	k, err := lookupKind(r.Kind)
	if err != nil {
		panic("recipes: Echo: " + err.Error())
	}
	sv := reflect.ValueOf(r.Spec)
	if sv.Kind() != reflect.Pointer || sv.IsNil() || sv.Elem().Type() != k.typ {
		panic(fmt.Sprintf("recipes: Echo: Spec is %T, want *%s for kind %s", r.Spec, k.typ, k.name))
	}
	root := &yaml.Node{Kind: yaml.MappingNode}
	addPair(root, "kind", "the recipe kind: which struct reads it and which runner runs it", strNode(r.Kind))
	addPair(root, "name", "a short name for the recipe and its runs", strNode(r.Name))
	addPair(root, "description", "what the recipe does, in one line", strNode(r.Description))
	fillMapping(root, sv.Elem(), reflect.ValueOf(k.newSpec()).Elem(), k.schema, true)

	head := "Resolved braingo recipe: defaults and overrides applied, every field present."
	if r.Source != "" {
		head += "\nFrom " + oneLine(r.Source)
		if len(r.Overrides) > 0 {
			head += " with"
			for _, o := range r.Overrides {
				head += " --set " + strconv.Quote(o)
			}
		}
		head += "."
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, HeadComment: head, Content: []*yaml.Node{root}}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		panic("recipes: Echo: " + err.Error()) // nodes built here always encode
	}
	enc.Close()
	return b.Bytes()
}

// WriteFile writes the Echo of r to dir/recipe.yaml, creating dir if needed,
// and returns the file's path.
func (r *Recipe) WriteFile(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, EchoFile)
	return path, os.WriteFile(path, r.Echo(), 0o644)
}

// oneLine makes s fit in a one-line comment.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

func addPair(m *yaml.Node, key, comment string, val *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, HeadComment: comment}, val)
}

// fillMapping appends v's fields to mapping m; def holds the defaults, to
// mention where the value differs. comments is false inside lists, whose items
// are described once on the list's key.
func fillMapping(m *yaml.Node, v, def reflect.Value, s *schema, comments bool) {
	for _, f := range s.fields {
		fv, dv := v.FieldByIndex(f.index), def.FieldByIndex(f.index)
		comment := ""
		if comments {
			comment = commentFor(f, fv, dv)
		}
		var val *yaml.Node
		switch f.kind {
		case kStruct:
			val = &yaml.Node{Kind: yaml.MappingNode}
			fillMapping(val, fv, dv, f.sub, comments)
		case kStructSlice:
			val = &yaml.Node{Kind: yaml.SequenceNode}
			if fv.Len() == 0 {
				val.Style = yaml.FlowStyle
			}
			ed := reflect.New(f.typ.Elem()).Elem()
			setDefaults(ed, f.sub)
			for i := range fv.Len() {
				item := &yaml.Node{Kind: yaml.MappingNode}
				fillMapping(item, fv.Index(i), ed, f.sub, false)
				val.Content = append(val.Content, item)
			}
		default:
			val = valueNode(fv, f)
		}
		addPair(m, f.key, comment, val)
	}
}

// commentFor is the comment above field f: its help, allowed values, default,
// and for a list of sections the help of the item fields.
func commentFor(f *field, v, def reflect.Value) string {
	c := oneLine(f.help)
	if f.enum != nil {
		c += " (one of " + strings.Join(f.enum, ", ") + ")"
	}
	if f.kind != kStruct && !reflect.DeepEqual(v.Interface(), def.Interface()) {
		d := formatSet(def, f)
		if d == "" {
			d = `""`
		}
		c += " [default " + d + "]"
	}
	if f.kind == kStructSlice {
		for _, sf := range f.sub.fields {
			c += "\n  " + sf.key + ": " + oneLine(sf.help)
			if sf.enum != nil {
				c += " (one of " + strings.Join(sf.enum, ", ") + ")"
			}
		}
	}
	return strings.TrimSpace(c)
}

// valueNode is the YAML node of a scalar or list of scalars.
func valueNode(v reflect.Value, f *field) *yaml.Node {
	if f.kind != kScalarSlice {
		return scalarNode(v, f.kind)
	}
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for i := range v.Len() {
		n.Content = append(n.Content, scalarNode(v.Index(i), f.elem))
	}
	return n
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func scalarNode(v reflect.Value, kind vkind) *yaml.Node {
	switch kind {
	case kBool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}
	case kInt:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	case kUint:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(v.Uint(), 10)}
	case kFloat:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: formatFloat(v.Float(), v.Type().Bits())}
	case kDuration:
		return strNode(time.Duration(v.Int()).String())
	}
	return strNode(v.String())
}

// formatFloat formats f so that it parses back to the same bits.
func formatFloat(f float64, bits int) string {
	switch {
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, bits)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0" // keep it a float to YAML readers: 1 -> 1.0
	}
	return s
}

// formatSet formats v, the value of field f, as --set takes it.
func formatSet(v reflect.Value, f *field) string {
	switch f.kind {
	case kStruct, kStructSlice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		if f.kind == kStruct {
			n = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			fillMapping(n, v, v, f.sub, false)
		} else {
			for i := range v.Len() {
				item := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
				fillMapping(item, v.Index(i), v.Index(i), f.sub, false)
				n.Content = append(n.Content, item)
			}
		}
		return flow(n)
	case kScalarSlice:
		parts := make([]string, v.Len())
		plain := true
		for i := range v.Len() {
			parts[i] = scalarNode(v.Index(i), f.elem).Value
			if parts[i] == "" || parts[i] != strings.TrimSpace(parts[i]) || strings.ContainsAny(parts[i], ",[") {
				plain = false
			}
		}
		if !plain {
			return flow(valueNode(v, f))
		}
		return strings.Join(parts, ",")
	}
	return scalarNode(v, f.kind).Value
}

// flow marshals a flow-style node on one line.
func flow(n *yaml.Node) string {
	b, err := yaml.Marshal(n)
	if err != nil {
		panic("recipes: " + err.Error())
	}
	return strings.TrimSpace(string(b))
}
