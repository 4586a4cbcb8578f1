//go:build torch

package kinds

import (
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/torchlayer"
)

func init() {
	evalCSNN = func(c *CSNN, ckpt string, test CSNNData) ([]int, []eval.LayerRate, error) {
		m, err := loadCSNN(c, ckpt)
		if err != nil {
			return nil, nil, err
		}
		torchlayer.SetThreads(c.TorchThreads)
		pred, rates := EvaluateCSNN(m.(*torchlayer.CSNN), test, 256)
		return pred, rates, nil
	}
	loadCSNN = func(c *CSNN, ckpt string) (any, error) {
		m, err := BuildCSNN(c)
		if err != nil {
			return nil, err
		}
		if _, err := restoreTraining(ckpt, csnnFormat, m.Saved(), nil); err != nil {
			return nil, err
		}
		m.Store.Train = false
		return m, nil
	}
}
