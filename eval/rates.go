package eval

import "fmt"

// LayerRate is the firing statistics of one layer over the batches a
// [RateMeter] has seen.
type LayerRate struct {
	Layer   string `json:"layer"`
	Neurons int    `json:"neurons"`
	// Rate is the mean number of spikes per neuron per time step per sample.
	Rate float64 `json:"rate"`
	// Silent is the fraction of neurons that did not spike once in any
	// sample, or -1 when some batch gave only a total spike count.
	Silent float64 `json:"silent"`
}

// RateMeter accumulates spike counts per layer over batches and reports
// firing rates. The zero value is ready to use; it is not safe for
// concurrent use.
//
//	var m eval.RateMeter
//	for each batch {
//		m.Add("hidden", 1000, batch, steps, hiddenSpikes)     // a total only
//		m.AddCounts("output", batch, steps, outputCountsPerNeuron)
//	}
//	rates := m.Rates()
type RateMeter struct {
	layers []*layerAcc
	index  map[string]int
}

type layerAcc struct {
	name       string
	neurons    int
	spikes     float64 // total spikes
	trials     float64 // neuron-sample-steps: neurons * samples * steps summed over batches
	perNeuron  []float64
	allPerNeur bool // every batch gave per-neuron counts
}

func (m *RateMeter) layer(name string, neurons int) *layerAcc {
	if neurons <= 0 {
		panic(fmt.Sprintf("eval: RateMeter layer %q with %d neurons", name, neurons))
	}
	if i, ok := m.index[name]; ok {
		l := m.layers[i]
		if l.neurons != neurons {
			panic(fmt.Sprintf("eval: RateMeter layer %q has %d neurons, was given %d", name, l.neurons, neurons))
		}
		return l
	}
	if m.index == nil {
		m.index = make(map[string]int)
	}
	l := &layerAcc{name: name, neurons: neurons, allPerNeur: true}
	m.index[name] = len(m.layers)
	m.layers = append(m.layers, l)
	return l
}

func checkBatch(name string, samples, steps int) {
	if samples <= 0 || steps <= 0 {
		panic(fmt.Sprintf("eval: RateMeter layer %q: %d samples of %d steps", name, samples, steps))
	}
}

// Add records one batch of a layer of neurons neurons run on samples samples
// for steps time steps, in which the layer fired spikes spikes in all. With
// totals only, the layer's silent fraction is unknown. It panics if a count
// is not positive or the layer was seen before with another size.
func (m *RateMeter) Add(layer string, neurons, samples, steps int, spikes float64) {
	checkBatch(layer, samples, steps)
	l := m.layer(layer, neurons)
	l.spikes += spikes
	l.trials += float64(neurons) * float64(samples) * float64(steps)
	l.allPerNeur = false
	l.perNeuron = nil
}

// AddCounts records one batch of a layer with per-neuron counts: counts[j]
// is the number of spikes neuron j fired summed over the batch's samples and
// steps. The layer has len(counts) neurons.
func (m *RateMeter) AddCounts(layer string, samples, steps int, counts []float32) {
	checkBatch(layer, samples, steps)
	l := m.layer(layer, len(counts))
	if l.allPerNeur && l.perNeuron == nil {
		l.perNeuron = make([]float64, len(counts))
	}
	var sum float64
	for j, c := range counts {
		sum += float64(c)
		if l.perNeuron != nil {
			l.perNeuron[j] += float64(c)
		}
	}
	l.spikes += sum
	l.trials += float64(len(counts)) * float64(samples) * float64(steps)
}

// Rates returns the statistics of every layer, in the order layers were
// first added.
func (m *RateMeter) Rates() []LayerRate {
	out := make([]LayerRate, len(m.layers))
	for i, l := range m.layers {
		r := LayerRate{Layer: l.name, Neurons: l.neurons, Rate: l.spikes / l.trials, Silent: -1}
		if l.allPerNeur {
			silent := 0
			for _, c := range l.perNeuron {
				if c == 0 {
					silent++
				}
			}
			r.Silent = float64(silent) / float64(l.neurons)
		}
		out[i] = r
	}
	return out
}

// Reset forgets every layer, for the next epoch.
func (m *RateMeter) Reset() {
	m.layers = m.layers[:0]
	clear(m.index)
}
