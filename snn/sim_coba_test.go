package snn

import (
	"testing"
	"time"
)

func TestCOBARates(t *testing.T) {
	net, g, err := BuildCOBA(COBAConfig{N: 4000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	m := NewSpikeMonitor(g, 0, 1000)
	net.Monitors = append(net.Monitors, m)
	st := time.Now()
	net.Run(5000)
	t.Logf("run %v, synapses %d", time.Since(st), net.Synapses())
	cv, k := m.ISICV(0, 4000)
	t.Logf("exc %.2f Hz inh %.2f Hz cv %.3f (%d)", m.MeanRate(0, 3200, 0.1), m.MeanRate(3200, 4000, 0.1), cv, k)
}
