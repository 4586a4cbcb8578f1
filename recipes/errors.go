package recipes

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// A Position says where a recipe value came from: a line and column of a
// file, or a --set override.
type Position struct {
	File   string // the file as named to the loader; "" for an override
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Set    string // the override "key=value", when the value came from --set
}

// String formats p as file:line:col (as editors read it) or "--set key=value".
func (p Position) String() string {
	switch {
	case p.Set != "":
		return "--set " + p.Set
	case p.Line > 0 && p.Column > 0:
		return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
	case p.Line > 0:
		return p.File + ":" + strconv.Itoa(p.Line)
	}
	return p.File
}

// A FieldError is a mistake in a recipe: where, which field, and what is wrong.
// Its message reads "file.yaml:12:5: optim.lr: expects a number, got "fast"".
type FieldError struct {
	Pos   Position
	Field string // dotted path, e.g. "train.epochs" or "layers.1.size"; "" for the recipe as a whole
	Msg   string // what is wrong, e.g. `expects an integer, got "ten"`
	Err   error  // the underlying error, if any (from a Validate method)
}

func (e *FieldError) Error() string {
	var b strings.Builder
	if s := e.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *FieldError) Unwrap() error { return e.Err }

// Usage reports that a recipe mistake is the user's to fix: the command
// line exits 2 for it, as for a usage error.
func (e *FieldError) Usage() bool { return true }

// cause is the message without position, for wrapping.
func (e *FieldError) cause() error { return fmt.Errorf("%s", e.Msg) }

// Invalid returns the error a Validate method returns to reject one of its
// fields. field is the key relative to the struct being validated ("lr", or
// "layers.0.size"); the loader prefixes the section's path and adds the
// position where the value was set:
//
//	func (o *Optim) Validate() error {
//		if o.LR <= 0 {
//			return recipes.Invalid("lr", "must be positive, got %g", o.LR)
//		}
//		return nil
//	}
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// levenshtein is the edit distance between a and b, in bytes.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// near returns the candidates close to s (by edit distance, ignoring case),
// closest first.
func near(s string, candidates []string) []string {
	if len(s) > 64 {
		return nil
	}
	limit := 1 + len(s)/4
	type hit struct {
		c string
		d int
	}
	var hits []hit
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if len(c) > 64 {
			continue
		}
		d := levenshtein(ls, strings.ToLower(c))
		if d <= limit || strings.HasPrefix(strings.ToLower(c), ls) && len(s) >= 3 {
			hits = append(hits, hit{c, d})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].d < hits[j].d })
	out := make([]string, 0, len(hits))
	for _, h := range hits {
		if !contains(out, h.c) {
			out = append(out, h.c)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// didYouMean formats suggestions as " (did you mean a or b?)", or "".
func didYouMean(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return " (did you mean " + s[0] + "?)"
	}
	return " (did you mean " + strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1] + "?)"
}
