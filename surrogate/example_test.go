package surrogate_test

import (
	"fmt"

	"github.com/braingo/braingo/surrogate"
)

// Describe lists every registered surrogate with its parameters and their
// defaults: what a `braingo surrogates` command prints.
func ExampleDescribe() {
	for _, info := range surrogate.Describe() {
		if info.Name != "brainpy.multi_gaussian_grad" && info.Name != "snntorch.sfs" {
			continue
		}
		fmt.Printf("%s: %s\n", info.Name, info.Doc)
		for _, p := range info.Params {
			fmt.Printf("  %s = %g (%s; %s)\n", p.Name, p.Default, p.Domain, p.Doc)
		}
	}
	// Output:
	// brainpy.multi_gaussian_grad: scale·[(1+h)N(x;0,σ²) − hN(x;σ,(sσ)²) − hN(x;−σ,(sσ)²)]
	//   h = 0.15 (positive; side-lobe weight h)
	//   s = 6 (positive; side-lobe width factor s)
	//   sigma = 0.5 (positive; standard deviation σ)
	//   scale = 0.5 (positive; gradient scale)
	// snntorch.sfs: 1 / (1 + k|x|)² for x > B, else 0 (sparse fast sigmoid)
	//   slope = 25 (positive; slope k)
	//   B = 1 (positive; cut B)
}

// New builds a surrogate by name; qualified names carry the reference
// library's defaults and parameter names.
func ExampleNew() {
	bp, _ := surrogate.New("brainpy.sigmoid", nil)                          // α = 4
	st, _ := surrogate.New("snntorch.sigmoid", nil)                         // slope 25
	q, _ := surrogate.New("q_pseudo_spike", map[string]float64{"alpha": 3}) // BrainPy's, α = 3
	fmt.Printf("%.4f %.4f %.4f\n", bp.Grad(0.1), st.Grad(0.1), q.Grad(0.1))
	// Output:
	// 0.9610 1.7526 0.8638
}
