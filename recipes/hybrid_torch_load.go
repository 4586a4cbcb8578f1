//go:build torch

package recipes

func init() {
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
