package eval_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/braingo/braingo/eval"
)

func ExampleConfusionMatrix() {
	// Output spike counts of four samples over three classes.
	counts := []float32{
		0, 7, 1,
		3, 3, 0, // a tie goes to the lower class
		0, 0, 2,
		5, 0, 9,
	}
	labels := []int{1, 1, 2, 0}
	pred := eval.ArgmaxRows(nil, counts, 3)
	m := eval.NewConfusionMatrix(3)
	m.Add(pred, labels)
	fmt.Println("predictions:", pred)
	fmt.Printf("accuracy %.2f, recall of class 1 %.2f, precision of class 2 %.2f\n",
		eval.Accuracy(pred, labels), m.Recall(1), m.Precision(2))
	eval.WriteConfusionTable(os.Stdout, m, []string{"left", "right", "none"})
	// Output:
	// predictions: [1 0 2 2]
	// accuracy 0.50, recall of class 1 0.50, precision of class 2 0.50
	// ┌─────────────┬───────┬─────────┬────────┬────────────┐
	// │ true \ pred │  left │   right │   none │     recall │
	// ├─────────────┼───────┼─────────┼────────┼────────────┤
	// │ left        │     0 │       0 │      1 │      0.00% │
	// │ right       │     1 │       1 │      0 │     50.00% │
	// │ none        │     0 │       0 │      1 │    100.00% │
	// ├─────────────┼───────┼─────────┼────────┼────────────┤
	// │ precision   │ 0.00% │ 100.00% │ 50.00% │ acc 50.00% │
	// └─────────────┴───────┴─────────┴────────┴────────────┘
}

func ExampleRateMeter() {
	var m eval.RateMeter
	for range 2 { // two batches of 4 samples, 25 steps
		m.Add("hidden", 100, 4, 25, 500)                     // a total only
		m.AddCounts("output", 4, 25, []float32{0, 40, 0, 0}) // per neuron
	}
	for _, r := range m.Rates() {
		fmt.Printf("%s: %.3f spikes/neuron/step, silent %v\n", r.Layer, r.Rate, r.Silent)
	}
	// Output:
	// hidden: 0.050 spikes/neuron/step, silent -1
	// output: 0.100 spikes/neuron/step, silent 0.75
}

func ExampleEncodeRecord() {
	r := eval.NewRecord(3) // every metric NaN until measured
	r.TrainLoss, r.TestAcc = 0.4125, 0.875
	r.Extra = map[string]float64{"lr": 5e-4}
	var sb strings.Builder
	eval.EncodeRecord(&sb, r)
	fmt.Print(sb.String())
	recs, err := eval.DecodeRecords(strings.NewReader(sb.String()+`{"epoch":4,"train_lo`), "metrics.jsonl")
	fmt.Println(len(recs), err)
	// Output:
	// {"epoch":3,"train_loss":0.4125,"train_acc":null,"test_loss":null,"test_acc":0.875,"seconds":null,"samples_per_s":null,"extra":{"lr":0.0005}}
	// 1 eval: metrics.jsonl:2: unexpected end of JSON input
}
