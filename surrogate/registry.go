package surrogate

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
)

// Ctor builds a surrogate from named parameters; unknown keys are errors.
type Ctor func(params map[string]float64) (Func, error)

// Domain is the set of values a surrogate parameter accepts.
type Domain int

const (
	// Positive accepts finite values > 0.
	Positive Domain = iota
	// NonNegative accepts finite values ≥ 0.
	NonNegative
	// Real accepts any finite value.
	Real
	// Count accepts whole numbers ≥ 1.
	Count
	// Whole accepts whole numbers ≥ 0 (seeds).
	Whole
)

func (d Domain) String() string {
	switch d {
	case Positive:
		return "positive"
	case NonNegative:
		return "non-negative"
	case Real:
		return "real"
	case Count:
		return "integer ≥ 1"
	case Whole:
		return "integer ≥ 0"
	}
	return fmt.Sprintf("Domain(%d)", int(d))
}

func (d Domain) ok(x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	switch d {
	case Positive:
		return x > 0
	case NonNegative:
		return x >= 0
	case Count:
		return x >= 1 && x == math.Trunc(x) && x <= 1<<20
	case Whole:
		return x >= 0 && x == math.Trunc(x) && x < 1<<53
	}
	return true
}

// Param describes one parameter of a registered surrogate.
type Param struct {
	Name    string  // key in New's params, e.g. "alpha"
	Default float64 // value used when the key is absent (the reference's default)
	Domain  Domain  // accepted values
	Doc     string  // one line
}

// Info describes a registered surrogate, for listings such as a
// `braingo surrogates` command.
type Info struct {
	Name string // registry name, e.g. "atan" or "brainpy.arctan"
	// Doc is one line: the backward formula dS/dx and its source.
	Doc string
	// Params lists the parameters New accepts, in a fixed order.
	Params []Param
	// Scale names the parameter that sets the surrogate's sharpness or
	// width (what a recipe's surrogate_scale sets); "" when there is none.
	Scale string
}

type entry struct {
	info Info
	ctor Ctor
}

var (
	regMu    sync.RWMutex
	registry = map[string]entry{}
)

// Register makes a surrogate constructor available by name to New. It
// panics if the name is taken (database/sql.Register's contract). Describe
// lists such a surrogate without parameters; Define records them.
func Register(name string, ctor Ctor) {
	register(Info{Name: name}, ctor)
}

func register(info Info, ctor Ctor) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[info.Name]; dup {
		panic("surrogate: Register called twice for " + info.Name)
	}
	registry[info.Name] = entry{info, ctor}
}

// Define registers a surrogate described by info. New passes mk the
// parameter values in info.Params order, each the caller's value (checked
// against the parameter's Domain) or its Default. It panics on a duplicate
// name or a Scale that is not one of the parameters.
func Define(info Info, mk func(v []float64) Func) {
	if info.Scale != "" && paramIndex(info.Params, info.Scale) < 0 {
		panic("surrogate: Define " + info.Name + ": scale parameter " + info.Scale + " is not a parameter")
	}
	params := append([]Param(nil), info.Params...)
	info.Params = params
	register(info, func(given map[string]float64) (Func, error) {
		v := make([]float64, len(params))
		for i, p := range params {
			v[i] = p.Default
		}
		for k, x := range given {
			i := paramIndex(params, k)
			if i < 0 {
				valid := "none"
				if len(params) > 0 {
					names := make([]string, len(params))
					for j, p := range params {
						names[j] = p.Name
					}
					valid = strings.Join(names, ", ")
				}
				return nil, fmt.Errorf("surrogate %s: unknown parameter %q (valid: %s)", info.Name, k, valid)
			}
			if !params[i].Domain.ok(x) {
				return nil, fmt.Errorf("surrogate %s: parameter %s must be %s and finite, got %v", info.Name, k, params[i].Domain, x)
			}
			v[i] = x
		}
		return mk(v), nil
	})
}

func paramIndex(ps []Param, name string) int {
	for i, p := range ps {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// Names lists the registered surrogates in sorted order.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Describe lists every registered surrogate with its parameters and their
// defaults, sorted by name.
func Describe() []Info {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Info, 0, len(registry))
	for _, e := range registry {
		info := e.info
		info.Params = append([]Param(nil), info.Params...)
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the description of the surrogate registered under name.
func Lookup(name string) (Info, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	e, ok := registry[name]
	e.info.Params = append([]Param(nil), e.info.Params...)
	return e.info, ok
}

// New returns the surrogate registered under name, configured by params
// (nil for the defaults). An unknown name or parameter is an error listing
// the valid choices.
func New(name string, params map[string]float64) (Func, error) {
	regMu.RLock()
	e, ok := registry[name]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("surrogate: unknown surrogate %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	return e.ctor(params)
}

// WithScale returns the surrogate registered under name with its Scale
// parameter set to scale (the defaults when scale is 0). It is an error
// when scale is non-zero and the surrogate has no Scale parameter.
func WithScale(name string, scale float64) (Func, error) {
	if scale == 0 {
		return New(name, nil)
	}
	info, ok := Lookup(name)
	if !ok {
		return New(name, nil) // the unknown-name error
	}
	if info.Scale == "" {
		return nil, fmt.Errorf("surrogate %s: has no scale parameter", name)
	}
	return New(name, map[string]float64{info.Scale: scale})
}
