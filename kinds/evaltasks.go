package kinds

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/braingo/braingo/tasks"
)

// evaluateTaskRun restores the checkpoint of the task run in dir into tr
// (built by its kind's prepare) and plays the evaluation trials of
// training's per-epoch evaluation.
func evaluateTaskRun(tr *taskRun, dir string) (Report, error) {
	if _, err := tr.restore(bestOrLast(tr.opts)); err != nil {
		return nil, err
	}
	res, err := tr.evaluate()
	if err != nil {
		return nil, err
	}
	ev := &TaskEvaluation{Task: tr.spec.Name, Trials: len(res.Trials), Performance: res.Performance(), MeanReward: res.MeanReward(),
		Regret: math.NaN(), RegretFixed: math.NaN()}
	return &taskReport{dir, ev}, nil
}

// dataState is the random state of a task dataset's environments between
// epochs, for a checkpoint.
func dataState(d *tasks.Dataset) (json.RawMessage, error) {
	st, err := d.State()
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Data []tasks.EnvState `json:"data"`
	}{st})
}

// setDataState restores what dataState saved.
func setDataState(d *tasks.Dataset, rng json.RawMessage, path string) error {
	var st struct {
		Data []tasks.EnvState `json:"data"`
	}
	if err := json.Unmarshal(rng, &st); err != nil {
		return fmt.Errorf("checkpoint %s: random state: %v", path, err)
	}
	if err := d.SetState(st.Data); err != nil {
		return fmt.Errorf("checkpoint %s: %v", path, err)
	}
	return nil
}
