package networks

import "github.com/braingo/braingo/snn"

// The layers of neurons a FeedForward network steps are snn.Cell values:
// the one Cell interface, with each model's adapter in the model's own
// file. These names are kept for the networks' users.
type (
	Cell           = snn.Cell
	Parameterized  = snn.Parameterized
	LIFCell        = snn.LIFCell
	SynapticCell   = snn.SynapticCell
	ALIFCell       = snn.ALIFCell
	LICell         = snn.LICell
	CubaLICell     = snn.CubaLICell
	IzhikevichCell = snn.IzhikevichCell
	AdExCell       = snn.AdExCell
)
