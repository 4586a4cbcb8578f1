package main

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// fmnist-snn trains through the fused path (networks.FeedForward.RunFused)
// and through the general one with model.fused=false: the same model, so
// the losses, accuracies and firing rates of a short run agree (up to the
// float32 rounding of sums taken in another order, which moves the last
// digits), and the two paths are really two (their bits differ).
func TestFusedTrainsLikeGeneral(t *testing.T) {
	base := fixtures[0]
	if base.recipe != "fmnist-snn" {
		t.Fatalf("fixtures[0] is %s", base.recipe)
	}
	general := base
	general.args = append(append([]string(nil), base.args...), "model.fused=false")
	fused := runFixtureThreads(t, base, 2)
	gen := runFixtureThreads(t, general, 2)
	if bytes.Equal(fused, gen) {
		t.Fatal("model.fused=false gave the fused path's bits: the option changes nothing")
	}
	type epoch struct {
		TrainLoss float64 `json:"train_loss"`
		TrainAcc  float64 `json:"train_acc"`
		TestAcc   float64 `json:"test_acc"`
		Rates     []struct {
			Rate float64 `json:"rate"`
		} `json:"rates"`
	}
	parse := func(b []byte) []epoch {
		var es []epoch
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var e epoch
			if err := json.Unmarshal(line, &e); err != nil {
				t.Fatal(err)
			}
			es = append(es, e)
		}
		return es
	}
	ef, eg := parse(fused), parse(gen)
	if len(ef) != 2 || len(eg) != 2 {
		t.Fatalf("%d and %d epochs, want 2", len(ef), len(eg))
	}
	for i := range ef {
		f, g := ef[i], eg[i]
		if d := math.Abs(f.TrainLoss-g.TrainLoss) / g.TrainLoss; d > 1e-3 {
			t.Errorf("epoch %d: train loss %v fused, %v general", i+1, f.TrainLoss, g.TrainLoss)
		}
		// 256 test images: 0.02 is 5 of them.
		if math.Abs(f.TestAcc-g.TestAcc) > 0.02 || math.Abs(f.TrainAcc-g.TrainAcc) > 0.02 {
			t.Errorf("epoch %d: accuracy %v/%v fused, %v/%v general (train/test)", i+1, f.TrainAcc, f.TestAcc, g.TrainAcc, g.TestAcc)
		}
		for l := range g.Rates {
			if d := math.Abs(f.Rates[l].Rate - g.Rates[l].Rate); d > 0.01 {
				t.Errorf("epoch %d: layer %d rate %v fused, %v general", i+1, l, f.Rates[l].Rate, g.Rates[l].Rate)
			}
		}
	}
	if ef[1].TestAcc < 0.6 {
		t.Errorf("fused path: test accuracy %v after 2 short epochs (the general path's fixture: 0.64)", ef[1].TestAcc)
	}
}
