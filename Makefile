# braingo's build. On a fresh Debian bookworm machine:
#
#	make run    # set up, build, run the main job
#	make test   # vet and test everything (what CI runs)
#
# Nothing here needs the network except `setup` (Debian's packages) and the
# Go module proxy the first time Go needs a module.

SHELL   := /bin/bash
GO      ?= go
BIN     := bin/braingo
# Goroutines for the benchmarks; OpenBLAS gets the same number.
THREADS ?= $(shell nproc 2>/dev/null || echo 1)

# Debian's python3, which sees the python3-numpy package (a python3 earlier
# on PATH, e.g. pyenv's, may not).
PYTHON  ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)

# Debian packages the project uses: the Fashion-MNIST IDX files
# (/usr/share/datasets/fashion-mnist) and, for baselines, NumPy on OpenBLAS;
# h5py for the NIR cross-check (make nir-check).
APT_PACKAGES := dataset-fashion-mnist python3-numpy libopenblas0-pthread python3-h5py

.PHONY: all setup build test bench bench-openblas bench-fmnist bench-fmnist-s2 run clean

all: build

# Installs what is missing with apt-get when running as root; otherwise
# says what to install and goes on. Quick when everything is present.
setup:
	@if ! command -v $(GO) >/dev/null 2>&1; then \
		echo "setup: Go is not on PATH; braingo needs Go 1.26 (see go.mod)" >&2; exit 1; \
	fi
	@if ! command -v dpkg >/dev/null 2>&1; then \
		echo "setup: no dpkg here (not Debian?): install $(APT_PACKAGES) by other means"; exit 0; \
	fi; \
	missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "setup: all packages present ($(APT_PACKAGES))"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "setup: installing$$missing"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "setup: missing$$missing; not root, so skipping. Run: sudo apt-get install$$missing"; \
	fi

build:
	$(GO) build -o $(BIN) ./cmd/braingo

# go vet, all tests, then the concurrent kernels again under the race
# detector. setup first, so a fresh machine has the dataset the end-to-end
# tests read.
test: setup
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) test -race ./kernels/...
	@if [ "$$(id -u)" = 0 ] || dpkg -s libtorch-dev 2>/dev/null | grep -q '^Status: install ok installed'; then \
		$(MAKE) --no-print-directory test-torch; \
	else \
		echo "test: skipping test-torch (libtorch-dev is not installed and installing it needs root: make torch as root)"; \
	fi
	@if [ "$$(id -u)" = 0 ] || dpkg -s libopenmpi-dev 2>/dev/null | grep -q '^Status: install ok installed'; then \
		$(MAKE) --no-print-directory test-mpi; \
	else \
		echo "test: skipping test-mpi (libopenmpi-dev is not installed and installing it needs root: make mpi as root)"; \
	fi
	@if [ -n "$$CI" ]; then \
		$(MAKE) --no-print-directory test-cuda; \
	elif command -v g++ >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory test-gpu-emu; \
		echo "test: skipping test-cuda (set CI=1 or run make test-cuda; as root it adds Debian's non-free sources for CUDA's headers)"; \
	else \
		echo "test: skipping test-cuda and test-gpu-emu (no g++; set CI=1 or run make test-cuda)"; \
	fi

bench: build
	$(BIN) bench kernels --threads $(THREADS)

# OpenBLAS's SGEMM through NumPy beside braingo's GEMM, same threads, one run.
# Like every baseline command it unsets the machine's OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE (baselines/openblas_info.py); each line names the core.
bench-openblas: build
	@if ! $(PYTHON) -c 'import numpy' >/dev/null 2>&1; then \
		echo "bench-openblas: NumPy is not importable by $(PYTHON); run 'make setup' as root (installs python3-numpy libopenblas0-pthread)"; \
	elif [ ! -f baselines/gemm_openblas.py ]; then \
		echo "bench-openblas: baselines/gemm_openblas.py is not there yet"; \
	else \
		set -e; \
		$(BIN) bench kernels --threads $(THREADS) --run '^gemm_'; \
		env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$(THREADS) $(PYTHON) baselines/gemm_openblas.py; \
	fi

# braingo's fmnist-snn beside snnTorch, the PyTorch loop and the hoisted
# loop, taking turns (needs the baselines' setup: make baselines-check);
# the launcher unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for every program.
COMPARE_ARGS ?=
bench-fmnist: build
	$(PYTHON) baselines/compare_fmnist.py --protocol snn $(COMPARE_ARGS)

bench-fmnist-s2: build
	$(PYTHON) baselines/compare_fmnist.py --protocol s2 $(COMPARE_ARGS)

# The main job: train the default recipe (Fashion-MNIST, the FMNIST-SNN
# tutorial network, one epoch) into runs/, printing the results table.
RECIPE ?= fmnist-snn
run: setup build
	$(BIN) train $(RECIPE)

clean:
	rm -rf bin build

# Hybrid models with libtorch (torchlayer, the csnn-classify and task-hybrid
# recipes): Debian's libtorch 1.13.1 and gotch v0.7.0 from the Go module
# proxy, copied into build/gotch and patched by third_party's patch (CPU
# only, Debian's paths, the C++11 ABI, the 38 generated wrappers of ops that
# changed between libtorch 1.11 and 1.13 made to fail at run time). Only
# these targets see the patched copy, through build/go.work; the default
# build has no cgo and no gotch. The first build of gotch's C++ takes a few
# minutes.
TORCH_APT   := libtorch-dev libopenblas0-pthread g++ patch
GOTCH_VER   := v0.7.0
GOTCH_PATCH := third_party/gotch-$(GOTCH_VER)-libtorch-1.13.patch
TORCH_WORK  := $(CURDIR)/build/go.work
TORCH_GO    := GOWORK=$(TORCH_WORK) GOFLAGS=-buildvcs=false $(GO)

.PHONY: torch torch-setup test-torch

# Installs libtorch-dev and libopenblas0-pthread with apt-get when missing
# (as root); without them the torch build cannot go on.
torch-setup: setup
	@missing=""; \
	for p in $(TORCH_APT); do \
		dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "torch-setup: all packages present ($(TORCH_APT))"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "torch-setup: installing$$missing (libtorch-dev is about 530 MB)"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "torch-setup: missing$$missing; run: sudo apt-get install --no-install-recommends$$missing" >&2; exit 1; \
	fi

build/gotch/.patched: $(GOTCH_PATCH)
	rm -rf build/gotch
	mkdir -p build
	@dir=$$($(GO) mod download -json github.com/sugarme/gotch@$(GOTCH_VER) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	if [ -z "$$dir" ]; then echo "torch: could not download github.com/sugarme/gotch@$(GOTCH_VER)" >&2; exit 1; fi; \
	echo "cp -r $$dir build/gotch"; cp -r $$dir build/gotch
	chmod -R u+w build/gotch
	patch -s -p1 -d build/gotch < $(GOTCH_PATCH)
	touch $@

$(TORCH_WORK):
	mkdir -p build
	printf 'go 1.26.0\n\nuse (\n\t..\n\t./gotch\n)\n' > $@

# bin/braingo-torch: braingo with the torch build tag.
torch: torch-setup build/gotch/.patched $(TORCH_WORK)
	$(TORCH_GO) build -tags torch -o bin/braingo-torch ./cmd/braingo

# The tests of the torch build: the bridge (finite differences across the
# boundary, layers against naive loops) and the hybrid recipes. make test
# runs them too where libtorch is installed or can be (root): on a fresh
# 2-core CI machine they add about 6 minutes (the 530 MB libtorch-dev
# install, gotch's first C++ build, the tests), within CI's 20.
test-torch: torch
	$(TORCH_GO) vet -tags torch ./torchlayer/... ./kinds/... ./cmd/braingo/
	$(TORCH_GO) test -tags torch ./torchlayer/... ./kinds/... ./examples/csnn/
	$(TORCH_GO) test -tags torch -run 'CSNN|Fixtures' ./cmd/braingo/

# Baseline fragments (snnTorch/PyTorch, Brian2) add their own targets.
-include $(wildcard baselines/*.mk)

# More than one process with MPI (OpenMPI 4.1.4, Debian's libopenmpi-dev and
# openmpi-bin): bin/braingo-mpi is braingo with the mpi build tag (cgo
# through pkg-config's ompi-c; internal/mpi). Run it under mpirun, e.g.
#	mpirun -np 4 bin/braingo-mpi sim coba --set scale=250 --set conn=jit
# (as root add --allow-run-as-root; more ranks than cores, --oversubscribe).
# The default build has no cgo and no MPI.
MPI_APT := libopenmpi-dev openmpi-bin pkg-config

.PHONY: mpi mpi-setup test-mpi

# Installs the MPI packages with apt-get when missing (as root); without
# them the mpi build cannot go on.
mpi-setup:
	@missing=""; \
	for p in $(MPI_APT); do \
		dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "mpi-setup: all packages present ($(MPI_APT))"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "mpi-setup: installing$$missing"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "mpi-setup: missing$$missing; run: sudo apt-get install --no-install-recommends$$missing" >&2; exit 1; \
	fi

mpi: mpi-setup
	$(GO) build -tags mpi -o bin/braingo-mpi ./cmd/braingo

# The tests of the mpi build: the MPI wrappers, then braingo-mpi under
# mpirun on 1, 2 and 4 ranks against one process, bit for bit, training on 2
# and 3 ranks (fmnist-snn, fmnist-s2, dms-snn, randman-rsnn) against one process, and a failing
# rank ending the job, resuming on another number of ranks (a few minutes
# on 2 cores; make test runs it where OpenMPI is installed or can be).
test-mpi: mpi
	$(GO) vet -tags mpi ./internal/mpi/ ./kinds/ ./cmd/braingo/
	$(GO) test -tags mpi ./internal/mpi/
	$(GO) test -tags mpi -timeout 30m -run 'MPI' ./cmd/braingo/

# NVIDIA GPUs (issue 17): bin/braingo-cuda is braingo with the cuda build
# tag, the device kernels of package gpu through gorgonia.org/cu (cgo
# against Debian's CUDA 11.8 headers and the driver's libcuda). cu v0.9.6
# from the Go module proxy is copied into build/cu and patched by
# third_party's patch so that its initialization is lazy (upstream exits the
# process without a device): the binary starts on machines without a GPU
# and says so. Only these targets see the patched copy, through
# build/cuda.work; the default build has no cgo and no cu.
#
# The packages come from Debian's contrib and non-free components, which
# these machines' sources do not list: cuda-setup adds a second entry made
# from the machine's own Debian entry (third_party/cuda-sources.sh) when
# the packages are missing and it runs as root. nvidia-cuda-dev is a 774 MB
# download. nvcc (nvidia-cuda-toolkit, cuda-nvcc) is needed only to
# regenerate the committed PTX (make gpu-generate).
CUDA_APT     := nvidia-cuda-dev libcuda1
CUDA_NVCC    := nvidia-cuda-toolkit
CUDA_SOURCES := /etc/apt/sources.list.d/braingo-cuda.sources
CU_VER       := v0.9.6
CU_PATCH     := third_party/cu-$(CU_VER)-lazy-init.patch
CUDA_WORK    := $(CURDIR)/build/cuda.work
CUDA_GO      := GOWORK=$(CUDA_WORK) GOFLAGS=-buildvcs=false $(GO)

.PHONY: cuda cuda-setup cuda-nvcc test-cuda test-gpu-emu gpu-generate gpu-check

# cuda_install PACKAGES: installs what is missing, adding the non-free
# sources entry first when apt does not know the packages.
define cuda_install
	@missing=""; \
	for p in $(1); do \
		dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "$@: all packages present ($(1))"; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "$@: missing$$missing; as root, run: make $@ (it adds Debian's contrib and non-free components)" >&2; exit 1; \
	else \
		if [ ! -f $(CUDA_SOURCES) ]; then \
			echo "$@: adding $(CUDA_SOURCES) (Debian contrib non-free, from this machine's Debian entry)"; \
			third_party/cuda-sources.sh > $(CUDA_SOURCES).tmp && mv $(CUDA_SOURCES).tmp $(CUDA_SOURCES) || exit 1; \
		fi; \
		echo "$@: installing$$missing"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

cuda-setup:
	$(call cuda_install,$(CUDA_APT))

cuda-nvcc:
	$(call cuda_install,$(CUDA_NVCC))

build/cu/.patched: $(CU_PATCH)
	rm -rf build/cu
	mkdir -p build
	@dir=$$($(GO) mod download -json gorgonia.org/cu@$(CU_VER) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	if [ -z "$$dir" ]; then echo "cuda: could not download gorgonia.org/cu@$(CU_VER)" >&2; exit 1; fi; \
	echo "cp -r $$dir build/cu"; cp -r $$dir build/cu
	chmod -R u+w build/cu
	patch -s -p1 -d build/cu < $(CU_PATCH)
	touch $@

$(CUDA_WORK):
	mkdir -p build
	printf 'go 1.26.0\n\nuse (\n\t..\n\t./cu\n)\n' > $@

# bin/braingo-cuda: braingo with the cuda build tag.
cuda: cuda-setup build/cu/.patched $(CUDA_WORK)
	$(CUDA_GO) build -tags cuda -o bin/braingo-cuda ./cmd/braingo

# The kernels under the CPU emulator (build tag cudaemu: kernels.cu as C++,
# needs g++ only), each against its CPU counterpart, and training on the
# emulated device against the CPU path (kinds, the command line).
test-gpu-emu:
	$(GO) vet -tags cudaemu ./gpu/ ./kinds/ ./cmd/braingo/
	$(GO) test -tags cudaemu ./gpu/
	$(GO) test -tags cudaemu -run 'GPU|CheckDevice' ./kinds/
	$(GO) test -tags cudaemu -run 'TrainOnGPU' ./cmd/braingo/

# The cuda build's tests: the kernels on the device (skipped, saying so,
# without one), the emulator, and the command line of braingo-cuda.
test-cuda: cuda test-gpu-emu
	$(CUDA_GO) vet -tags cuda ./gpu/ ./kinds/ ./cmd/braingo/
	$(CUDA_GO) test -tags cuda ./gpu/
	$(CUDA_GO) test -tags cuda -run 'GPU|CheckDevice' ./kinds/
	$(CUDA_GO) test -tags cuda -run 'CUDA|TrainOnGPU' ./cmd/braingo/

# Regenerates the committed PTX from gpu/kernels.cu.
gpu-generate: cuda-nvcc
	cd gpu && $(GO) generate .

# The device check (docs/gpu.md): builds here what travels to a GPU machine,
# build/gpu-check/ (bin.tar.gz: a stripped braingo-cuda and the stripped
# test binary of package gpu; the peers' Python sources; Debian's gzipped
# Fashion-MNIST), with the tracked files at most 64 MiB. On the GPU
# machine: bash baselines/gpu_check_run.sh (OUT=DIR keeps the results)
gpu-check: cuda build/cu/.patched $(CUDA_WORK)
	bash baselines/gpu_check_build.sh
