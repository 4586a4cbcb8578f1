package recipes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxErrors bounds the errors one load reports; past it the decoder stops
// collecting (a garbled file would otherwise give one per line).
const maxErrors = 20

// headerKeys are the top-level keys every recipe has besides its kind's fields.
var headerKeys = []string{"kind", "name", "description"}

// decoder turns YAML nodes (or --set text) into a recipe struct, collecting
// errors that say where and which field.
type decoder struct {
	base      Position            // the file, or the override being applied
	errs      []error             // *FieldError, at most maxErrors
	positions map[string]Position // where each dotted path was last set
	root      *schema             // the kind's schema, for suggestions across sections
	header    map[string]*yaml.Node
}

// pos is the position of node n (nil: the base position alone).
func (d *decoder) pos(n *yaml.Node) Position {
	p := d.base
	if n != nil && p.Set == "" {
		p.Line, p.Column = n.Line, n.Column
	}
	return p
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		return
	}
	d.errs = append(d.errs, &FieldError{Pos: d.pos(n), Field: path, Msg: fmt.Sprintf(format, args...)})
	if len(d.errs) == maxErrors {
		d.errs = append(d.errs, &FieldError{Pos: Position{File: d.base.File, Set: d.base.Set}, Msg: "too many errors"})
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// section decodes mapping n into struct v of schema s.
func (d *decoder) section(n *yaml.Node, v reflect.Value, s *schema, path string) {
	if n.Kind != yaml.MappingNode {
		if path == "" {
			d.fail(n, path, "a recipe is a mapping of keys to values, got %s", describe(n))
		} else {
			d.fail(n, path, "expects a section of key: value lines, got %s", describe(n))
		}
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			d.fail(k, path, "has a key that is not a plain name (%s)", describe(k))
			continue
		}
		key := k.Value
		p := join(path, key)
		if prev, dup := seen[key]; dup {
			d.fail(k, p, "is set twice (first at line %d)", prev.Line)
			continue
		}
		seen[key] = k
		if d.header != nil && path == "" && contains(headerKeys, key) {
			d.header[key] = val
			continue
		}
		f := s.byKey[key]
		if f == nil {
			d.unknown(k, path, s, key)
			continue
		}
		d.positions[p] = d.pos(val)
		d.value(val, v.FieldByIndex(f.index), f, p)
	}
}

// unknown reports key, which is not a field of the section at path.
func (d *decoder) unknown(k *yaml.Node, path string, s *schema, key string) {
	if len(d.errs) >= maxErrors {
		return // suggestions cost; past the limit nobody reads them
	}
	cands := s.keys()
	if path == "" && d.root == s {
		cands = append(append([]string(nil), headerKeys...), cands...)
	}
	var sugg []string
	for _, c := range near(key, cands) {
		sugg = append(sugg, join(path, c))
	}
	if len(sugg) == 0 && d.root != nil {
		// Perhaps it belongs in another section.
		for _, p := range leafPaths(d.root, "") {
			leaf := p[strings.LastIndexByte(p, '.')+1:]
			if len(near(key, []string{leaf})) > 0 && len(sugg) < 3 {
				sugg = append(sugg, p)
			}
		}
	}
	msg := "unknown field" + didYouMean(sugg)
	if len(sugg) == 0 {
		where := "here"
		if path != "" {
			where = "in " + path
		}
		msg += "; valid keys " + where + ": " + strings.Join(cands, ", ")
	}
	d.fail(k, join(path, key), "%s", msg)
}

// leafPaths lists the dotted keys of every field under s.
func leafPaths(s *schema, prefix string) []string {
	var out []string
	for _, f := range s.fields {
		p := prefix + f.key
		out = append(out, p)
		switch f.kind {
		case kStruct:
			out = append(out, leafPaths(f.sub, p+".")...)
		case kStructSlice:
			out = append(out, leafPaths(f.sub, p+".<i>.")...)
		}
	}
	return out
}

// value decodes node n into v, the value of field f at path.
func (d *decoder) value(n *yaml.Node, v reflect.Value, f *field, path string) {
	if n.Kind == yaml.AliasNode {
		d.fail(n, path, "uses the YAML alias *%s; recipes do not support anchors and aliases, write the value out", n.Value)
		return
	}
	switch f.kind {
	case kStruct:
		d.section(n, v, f.sub, path)
	case kStructSlice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expects a list of sections (lines starting with -), got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(f.typ, len(n.Content), len(n.Content))
		for i, e := range n.Content {
			setDefaults(s.Index(i), f.sub)
			if e.Kind == yaml.AliasNode {
				d.fail(e, path, "uses the YAML alias *%s; recipes do not support anchors and aliases, write the value out", e.Value)
				continue
			}
			d.section(e, s.Index(i), f.sub, path+"."+strconv.Itoa(i))
		}
		setSlice(v, s)
	case kScalarSlice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expects a list such as [%s], got %s", example(f.elem), describe(n))
			return
		}
		s := reflect.MakeSlice(f.typ, len(n.Content), len(n.Content))
		for i, e := range n.Content {
			d.scalar(e, s.Index(i), f.elem, f.enum, path+"."+strconv.Itoa(i))
		}
		setSlice(v, s)
	default:
		d.scalar(n, v, f.kind, f.enum, path)
	}
}

// setSlice stores s in v, keeping empty lists nil so that a recipe and its
// echo decode to identical structs.
func setSlice(v, s reflect.Value) {
	if s.Len() == 0 {
		v.SetZero()
		return
	}
	v.Set(s)
}

// scalar decodes scalar node n into v.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, kind vkind, enum []string, path string) {
	if n.Kind == yaml.AliasNode {
		d.fail(n, path, "uses the YAML alias *%s; recipes do not support anchors and aliases, write the value out", n.Value)
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "%s, got %s", expects(kind), describe(n))
		return
	}
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0
	if !quoted && n.ShortTag() == "!!null" {
		d.fail(n, path, "has no value; it %s", expects(kind))
		return
	}
	if quoted && n.ShortTag() == "!!str" && kind != kString && kind != kDuration {
		d.fail(n, path, "%s, got the string %s (remove the quotes)", expects(kind), quote(n.Value))
		return
	}
	if msg := parseScalar(v, kind, enum, n.Value); msg != "" {
		d.fail(n, path, "%s", msg)
	}
}

// parseScalar parses text into v. It returns what is wrong, or "".
func parseScalar(v reflect.Value, kind vkind, enum []string, text string) string {
	if kind != kString {
		text = strings.TrimSpace(text)
	}
	switch kind {
	case kString:
		if !utf8.ValidString(text) {
			return "is not valid UTF-8 text"
		}
		if enum != nil && !contains(enum, text) {
			return fmt.Sprintf("must be one of %s, got %s%s", strings.Join(enum, ", "), quote(text), didYouMean(near(text, enum)))
		}
		v.SetString(text)
	case kBool:
		switch text {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			return expects(kind) + ", got " + quote(text)
		}
	case kInt:
		i, err := strconv.ParseInt(text, 10, v.Type().Bits())
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return fmt.Sprintf("%s is out of range for %s", text, v.Type())
			}
			return expects(kind) + ", got " + quote(text)
		}
		v.SetInt(i)
	case kUint:
		u, err := strconv.ParseUint(text, 10, v.Type().Bits())
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return fmt.Sprintf("%s is out of range for %s", text, v.Type())
			}
			return expects(kind) + ", got " + quote(text)
		}
		v.SetUint(u)
	case kFloat:
		f, ok := parseFloat(text, v.Type().Bits())
		if !ok {
			return expects(kind) + ", got " + quote(text)
		}
		v.SetFloat(f)
	case kDuration:
		dur, err := time.ParseDuration(text)
		if err != nil {
			return expects(kind) + ", got " + quote(text)
		}
		v.SetInt(int64(dur))
	}
	return ""
}

// parseFloat parses a decimal float or YAML's .inf and -.inf; NaN is refused.
func parseFloat(text string, bits int) (float64, bool) {
	switch strings.ToLower(text) {
	case ".inf", "+.inf", "inf", "+inf":
		return math.Inf(1), true
	case "-.inf", "-inf":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(text, bits)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func expects(kind vkind) string {
	switch kind {
	case kString:
		return "expects a string"
	case kBool:
		return "expects true or false"
	case kInt:
		return "expects an integer"
	case kUint:
		return "expects a non-negative integer"
	case kFloat:
		return "expects a number"
	case kDuration:
		return "expects a duration such as 500ms, 2s or 1m30s"
	}
	return "expects a value"
}

func example(kind vkind) string {
	switch kind {
	case kString:
		return "a, b"
	case kBool:
		return "true, false"
	case kFloat:
		return "0.5, 1"
	case kDuration:
		return "1ms, 2s"
	}
	return "1, 2"
}

// describe names what node n holds, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of key: value pairs"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" && n.Style == 0 {
			return "nothing"
		}
		return quote(n.Value)
	}
	return "something else"
}

// quote quotes s for a message, shortening it if long.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return strconv.Quote(s)
}

// setText parses text (a default tag or the value of a --set) into v, the
// value of field f. Lists take "a,b,c" or YAML flow "[a, b]"; sections and
// lists of sections take YAML flow: "{size: 10}", "[{size: 10}, {size: 2}]".
func (d *decoder) setText(v reflect.Value, f *field, text, path string) {
	switch f.kind {
	case kStruct, kStructSlice:
		if n := d.parseFlow(text, path); n != nil {
			d.value(n, v, f, path)
		}
	case kScalarSlice:
		t := strings.TrimSpace(text)
		switch {
		case strings.HasPrefix(t, "["):
			if n := d.parseFlow(t, path); n != nil {
				d.value(n, v, f, path)
			}
		case t == "":
			v.SetZero()
		default:
			parts := strings.Split(t, ",")
			s := reflect.MakeSlice(f.typ, len(parts), len(parts))
			for i, p := range parts {
				if msg := parseScalar(s.Index(i), f.elem, f.enum, strings.TrimSpace(p)); msg != "" {
					d.fail(nil, path+"."+strconv.Itoa(i), "%s", msg)
				}
			}
			setSlice(v, s)
		}
	default:
		if msg := parseScalar(v, f.kind, f.enum, text); msg != "" {
			d.fail(nil, path, "%s", msg)
		}
	}
}

// parseFlow parses a one-line YAML value.
func (d *decoder) parseFlow(text, path string) *yaml.Node {
	n, err := parseYAML([]byte(text))
	if err != nil {
		d.fail(nil, path, "%s is not a valid YAML value: %s", quote(text), yamlMsg(err))
		return nil
	}
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

// yamlLine matches the line the YAML parser names in its errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlMsg strips the "yaml: " prefix from a parser error.
func yamlMsg(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// parseYAML parses a single YAML document and returns its root node (nil for
// an empty document). A second document is an error.
func parseYAML(data []byte) (root *yaml.Node, err error) {
	defer func() {
		// The parser's input is the world's: never let it crash the program.
		if p := recover(); p != nil {
			root, err = nil, fmt.Errorf("yaml: cannot parse: %v", p)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); err != io.EOF {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("yaml: line %d: a recipe is a single YAML document; remove the second one", next.Line)
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return &doc, nil
}

// fileError turns a parser error into a positioned error.
func fileError(file string, err error) error {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FieldError{Pos: Position{File: file, Line: line}, Msg: m[2], Err: err}
	}
	return &FieldError{Pos: Position{File: file}, Msg: yamlMsg(err), Err: err}
}
