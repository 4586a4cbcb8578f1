package eval

import "io"

// WriteSummaryTable renders a table of strings with the given header: the
// first column left-aligned, the others right-aligned. It serves results
// that are not per epoch (a FORCE run's phases, a scaling sweep).
func WriteSummaryTable(w io.Writer, header []string, rows [][]string) error {
	t := newTable(w, len(header), true)
	t.Header(toAny(header)...)
	for _, r := range rows {
		if err := t.Append(toAny(r)...); err != nil {
			return err
		}
	}
	return t.Render()
}

func toAny(s []string) []any {
	a := make([]any, len(s))
	for i, v := range s {
		a[i] = v
	}
	return a
}
