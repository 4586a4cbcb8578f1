package gpu

// The PTX embedded by the cuda build: nvcc (CUDA 11.8's, from Debian's
// nvidia-cuda-toolkit; make cuda-nvcc installs it) writes PTX ISA 7.8 for
// compute_80 and compute_90, which newer drivers compile for their devices
// (Ampere, Hopper and later). -fmad=false keeps the compiler from fusing
// multiply-adds, so the elementwise kernels give the CPU's bits; IEEE
// division and square root are nvcc's defaults. Run go generate after
// editing kernels.h and commit the PTX with it (TestPTXCurrent checks that
// the committed PTX has every kernel of the emulator's table).

//go:generate nvcc -x cu -ptx -arch=compute_80 -fmad=false -o ptx/kernels_80.ptx kernels.h
//go:generate nvcc -x cu -ptx -arch=compute_90 -fmad=false -o ptx/kernels_90.ptx kernels.h
