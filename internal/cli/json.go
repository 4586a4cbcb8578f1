package cli

import (
	"encoding/json"
	"io"
)

// WriteJSON writes v to w as one line of JSON (the JSON Lines convention
// used by every --json output of the command).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
