package craft

import (
	"bytes"
	"testing"
)

func TestDataspace(t *testing.T) {
	got := Dataspace(2, 3)
	want := []byte{1, 2, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(got, want) {
		t.Errorf("Dataspace(2, 3) = % x, want % x", got, want)
	}
}

func TestReplaceOnce(t *testing.T) {
	if got := ReplaceOnce(t, []byte("abcabd"), []byte("bd"), []byte("XY")); string(got) != "abcaXY" {
		t.Errorf("got %q", got)
	}
}
