package kinds

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/braingo/braingo/recipes"
)

// Runner trains (or simulates) a loaded recipe into a run directory.
type Runner func(ctx context.Context, r *recipes.Recipe, opts RunOptions) error

var (
	runMu   sync.RWMutex
	runners = map[string]Runner{}
)

// RegisterRunner sets the runner of a recipe kind; it panics on a
// duplicate (STYLE item 9).
func RegisterRunner(kind string, run Runner) {
	runMu.Lock()
	defer runMu.Unlock()
	if _, dup := runners[kind]; dup {
		panic("recipes: RegisterRunner called twice for " + kind)
	}
	runners[kind] = run
}

// Run runs r with the runner of its kind.
func Run(ctx context.Context, r *recipes.Recipe, opts RunOptions) error {
	runMu.RLock()
	run, ok := runners[r.Kind]
	runMu.RUnlock()
	if !ok {
		var kinds []string
		runMu.RLock()
		for k := range runners {
			kinds = append(kinds, k)
		}
		runMu.RUnlock()
		sort.Strings(kinds)
		return fmt.Errorf("recipe %s: kind %s cannot be run (runnable kinds: %s)", r.Name, r.Kind, strings.Join(kinds, ", "))
	}
	return run(ctx, r, opts)
}

func init() { RegisterRunner(ClassifyKind, RunClassify) }
