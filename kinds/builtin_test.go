package kinds_test

import (
	"reflect"
	"strings"
	"testing"

	_ "github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

// Every embedded recipe loads with its kind registered, under the name of its file, and survives its echo.
func TestBuiltin(t *testing.T) {
	list, err := recipes.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		r, err := recipes.Load(e.Name, nil)
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		if r.Kind != e.Kind || r.Description != e.Description {
			t.Errorf("%s: List says %q %q, Load %q %q", e.Name, e.Kind, e.Description, r.Kind, r.Description)
		}
		r2, err := recipes.Parse(recipes.EchoFile, r.Echo(), nil)
		if err != nil || !reflect.DeepEqual(r.Spec, r2.Spec) {
			t.Errorf("%s: echo round trip: %v", e.Name, err)
		}
	}
	if _, err := recipes.Load("no-such-recipe", nil); err == nil || !strings.Contains(err.Error(), `no recipe named "no-such-recipe"`) {
		t.Errorf("Load(no-such-recipe): %v", err)
	}
}
