package kernels

func lifCondStep(v, ge, gi []float32, last []int32, t int32, p *LIFCond, spk []int32, base int32) int {
	return lifCondStepGo(v, ge, gi, last, t, p, spk, base)
}
