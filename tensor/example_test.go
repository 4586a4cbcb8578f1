package tensor_test

import (
	"fmt"

	"github.com/braingo/braingo/tensor"
)

// A tape records the operations on parameters; Backward fills their Grad.
func ExampleTape_Backward() {
	tp := tensor.NewTape()
	w := tensor.NewParam("w", []int{2, 1}, []float32{0.5, -1})
	x := tensor.New([]int{1, 2}, []float32{2, 3})
	y := tp.MatMul(x, w, false, false) // 2·0.5 + 3·(−1) = −2
	loss := tp.Sum(tp.Square(y))       // y² = 4
	tp.Backward(loss)
	fmt.Println("loss", loss.Item(), "dloss/dw", w.Grad) // 2y·x
	tp.Reset()                                           // recycle the tape's buffers for the next batch
	// Output:
	// loss 4 dloss/dw [-8 -12]
}

// A nil tape computes forward values without recording anything: the
// simulation and inference path, at no cost for differentiability.
func ExampleTape_nil() {
	var tp *tensor.Tape
	a := tensor.New([]int{3}, []float32{1, 2, 3})
	fmt.Println(tp.Scale(tp.Add(a, a), 0.5).Data, tp.Recording())
	// Output:
	// [1 2 3] false
}

// CrossEntropy takes logits and class labels; its gradient is
// softmax − one-hot, averaged over the batch.
func ExampleTape_CrossEntropy() {
	tp := tensor.NewTape()
	logits := tensor.NewParam("logits", []int{2, 3}, []float32{2, 0, 0, 0, 0, 0})
	loss := tp.CrossEntropy(logits, []int{0, 2})
	tp.Backward(loss)
	fmt.Printf("loss %.4f\n", loss.Item())
	for r := range 2 {
		g := logits.Grad[3*r : 3*r+3]
		fmt.Printf("%.4f %.4f %.4f\n", g[0], g[1], g[2])
	}
	// Output:
	// loss 0.6691
	// -0.1065 0.0533 0.0533
	// 0.1667 0.1667 -0.3333
}

// SpikeMatMul is the event-driven product of binary spikes and weights; its
// weight gradient touches only the rows of neurons that fired.
func ExampleTape_SpikeMatMul() {
	tp := tensor.NewTape()
	s := tensor.New([]int{1, 3}, []float32{1, 0, 1})
	w := tensor.NewParam("w", []int{3, 2}, []float32{1, 2, 3, 4, 5, 6})
	y := tp.SpikeMatMul(s, w)
	tp.Backward(tp.Sum(y))
	fmt.Println(y.Data, w.Grad)
	// Output:
	// [6 8] [1 1 0 0 1 1]
}

// GradCheck compares a function's tape gradient with central finite
// differences: how every op in the package is tested.
func ExampleGradCheck() {
	x := tensor.NewParam("x", []int{3}, []float32{0.3, -0.2, 0.9})
	err := tensor.GradCheck{}.CheckGrad(func(tp *tensor.Tape) *tensor.Tensor {
		return tp.Sum(tp.Mul(tp.Tanh(x), x))
	}, x)
	fmt.Println("gradient check:", err)
	// Output:
	// gradient check: <nil>
}
