package tasks

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Params are task-specific numeric settings by name (NeuroGym's constructor
// keyword arguments: "sigma", "dim_ring", ...), as a recipe or the command
// line gives them. Each registered task documents the names it reads.
type Params map[string]float64

// Bind stores the params into the fields named by fields (pointers to
// float64, int or bool; an int takes a whole number, a bool 0 or 1). A name
// that no field takes is an error that lists the known ones.
func (p Params) Bind(fields map[string]any) error {
	for name, v := range p {
		dst, ok := fields[name]
		if !ok {
			return fmt.Errorf("unknown parameter %q (known: %s)", name, strings.Join(sortedKeys(fields), ", "))
		}
		switch d := dst.(type) {
		case *float64:
			*d = v
		case *int:
			if v != math.Trunc(v) {
				return fmt.Errorf("parameter %q must be a whole number, got %v", name, v)
			}
			*d = int(v)
		case *bool:
			if v != 0 && v != 1 {
				return fmt.Errorf("parameter %q must be 0 or 1, got %v", name, v)
			}
			*d = v == 1
		default:
			panic(fmt.Sprintf("tasks: Bind: field %q is a %T", name, dst))
		}
	}
	return nil
}

// Constructor builds a task from its parameters (nil for the defaults).
type Constructor func(Params) (Task, error)

var registry = struct {
	sync.RWMutex
	m map[string]Constructor
}{m: map[string]Constructor{}}

// Register makes a task available by name to New. It is meant to be called
// from init; it panics if the name is taken or ctor is nil.
func Register(name string, ctor Constructor) {
	registry.Lock()
	defer registry.Unlock()
	if ctor == nil {
		panic("tasks: Register of " + name + " with a nil constructor")
	}
	if _, dup := registry.m[name]; dup {
		panic("tasks: Register called twice for " + name)
	}
	registry.m[name] = ctor
}

// Names lists the registered tasks in sorted order.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	return sortedKeys(registry.m)
}

// Lookup builds the named task with its parameters. An unknown name's error
// lists the known ones.
func Lookup(name string, p Params) (Task, error) {
	registry.RLock()
	ctor, ok := registry.m[name]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("tasks: unknown task %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	t, err := ctor(p)
	if err != nil {
		return nil, fmt.Errorf("tasks: %s: %w", name, err)
	}
	return t, nil
}

// New builds an environment for the named task with its parameters and
// options.
func New(name string, p Params, o Options) (*Env, error) {
	t, err := Lookup(name, p)
	if err != nil {
		return nil, err
	}
	return NewEnv(t, o)
}

// Description is what a listing shows of a task.
type Description struct {
	Name, Summary, Source string
	DT                    float64
	Periods               []Period // in order, with their timing
	Obs, Actions, Targets []string
	Rewards               map[string]float64
	Fixate, Respond       []string
}

// Describe returns the description of a registered task with default
// parameters.
func Describe(name string) (Description, error) {
	t, err := Lookup(name, nil)
	if err != nil {
		return Description{}, err
	}
	return DescribeTask(t), nil
}

// DescribeTask returns the description of any task.
func DescribeTask(t Task) Description {
	s := t.Spec()
	return Description{
		Name: s.Name, Summary: s.Summary, Source: s.Source, DT: s.DT,
		Periods: s.Periods, Obs: s.Obs, Actions: s.Actions, Targets: s.Targets,
		Rewards: s.Rewards, Fixate: s.Fixate, Respond: s.Respond,
	}
}

// Header names the columns of Row.
var Header = []string{"task", "dt", "periods (ms)", "observations", "actions", "rewards", "source"}

// Row renders a description as table cells under Header: periods as
// "name=timing", observation groups as "group[n]".
func (d Description) Row() []string {
	per := make([]string, len(d.Periods))
	for i, p := range d.Periods {
		per[i] = p.Name + "=" + p.Timing.String()
	}
	rw := make([]string, 0, len(d.Rewards))
	for _, k := range sortedKeys(d.Rewards) {
		rw = append(rw, k+"="+strconv.FormatFloat(d.Rewards[k], 'g', -1, 64))
	}
	act := slices.Clone(d.Actions)
	if len(d.Targets) > 0 {
		act = append(act, "target:"+strings.Join(d.Targets, ","))
	}
	return []string{
		d.Name,
		strconv.FormatFloat(d.DT, 'g', -1, 64),
		strings.Join(per, " "),
		strings.Join(groupNames(d.Obs), ", "),
		strings.Join(groupNames(act), ", "),
		strings.Join(rw, " "),
		d.Source,
	}
}

// Rows describes every registered task, one row per task under Header, in
// name order: what `braingo tasks` prints.
func Rows() [][]string {
	var rows [][]string
	for _, n := range Names() {
		d, err := Describe(n)
		if err != nil {
			panic(err) // a registered task whose defaults fail is a bug
		}
		rows = append(rows, d.Row())
	}
	return rows
}

// groupNames folds consecutive "g.1".."g.n" names into "g[n]".
func groupNames(names []string) []string {
	var out []string
	for i := 0; i < len(names); {
		g, _, ok := strings.Cut(names[i], ".")
		if !ok {
			out = append(out, names[i])
			i++
			continue
		}
		j := i
		for j < len(names) && strings.HasPrefix(names[j], g+".") {
			j++
		}
		out = append(out, fmt.Sprintf("%s[%d]", g, j-i))
		i = j
	}
	return out
}
