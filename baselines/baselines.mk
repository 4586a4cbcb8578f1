# Baselines (snnTorch and plain PyTorch) for the FMNIST-SNN and FMNIST-S2
# protocols of DESIGN.md. Included by the project Makefile; see
# baselines/README.md.
#
#	make baselines-check         # can /usr/bin/python3 import torch and snntorch?
#	make baseline-fmnist-snn     # snntorch, torch, hoisted: one epoch each
#	make baseline-fmnist-s2      # snntorch, torch: one epoch each
#	make baseline-verify         # bit-identity of the hand-written loops
#	make baseline-randman        # SpyTorch's recurrent SNN on braingo's randman data
#	make baselines-openblas-check # OpenBLAS's core with and without OPENBLAS_CORETYPE; results agree?
#	make bench-open-neuromorphic  # Linear+LIF, batch 16, 500 steps: braingo, snnTorch, SpikingJelly, Norse
#	make baseline-yang19          # Yang et al. 2019's 20-task network on the paper's trials, per-task reference
#
# Results are JSON lines appended to $(BASELINE_RESULTS)/*.jsonl.

# Debian's python3 (it sees python3-torch; a pyenv python3 on PATH does not).
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
# Folder holding snnTorch's source tree (the folder that has snntorch/ in it).
SNNTORCH_SRC ?= /opt/snntorch-src
# OpenBLAS threads for torch's GEMMs; torch itself runs 1 thread (see README:
# torch.set_num_threads(2) on top of 2 OpenBLAS threads is 3.3x slower on 2 cores).
BASELINE_BLAS_THREADS ?= 2
BASELINE_TORCH_THREADS ?= 1
BASELINE_EPOCHS ?= 1
BASELINE_ARGS ?=
BASELINE_RESULTS ?= baselines/results

# Every baseline command unsets the machine's OpenBLAS overrides
# (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE), in that command only: Debian's
# OpenBLAS 0.3.21 then picks its AVX-512 kernels, which agree with the
# overridden ones (make baselines-openblas-check) and are faster. Each JSON
# line records the OpenBLAS core and version that ran.
OPENBLAS_CLEAN := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
BASELINE_ENV := $(OPENBLAS_CLEAN) OPENBLAS_NUM_THREADS=$(BASELINE_BLAS_THREADS) SNNTORCH_SRC=$(SNNTORCH_SRC) \
	PYTHONPATH=$(SNNTORCH_SRC)$${PYTHONPATH:+:$$PYTHONPATH}
BASELINE_RUN := $(BASELINE_ENV) $(PYTHON)

.PHONY: baseline-yang19 baselines-check baseline-fmnist-snn baseline-fmnist-s2 baseline-verify baseline-randman baselines-openblas-check bench-open-neuromorphic bench-open-neuromorphic-setup

# The Open Neuromorphic SNN benchmark (Linear(n→n) then LIF, batch 16, 500
# steps): braingo bench models beside snnTorch, SpikingJelly and Norse, one
# process per (program, size, setting) with a timeout (ON_TIMEOUT seconds),
# braingo before and after the libraries at each size, sizes in increasing
# order; every setting "torch threads x OpenBLAS threads : allocator" at the
# first size, then each library's fastest (ON_SETTINGS_AT=every: all at
# every size). JSON lines to $(BASELINE_RESULTS)/open_neuromorphic_*.jsonl,
# the benchmark's CSV on standard output as each measurement ends, then the
# table (baselines/open_neuromorphic.py; sources and settings: README).
ON_SIZES ?= 4096,8192,16384
ON_ROUNDS ?= 3
ON_WARMUP ?= 1
ON_SETTINGS ?= 1x2:tcmalloc,2x1:tcmalloc,1x2:jemalloc,1x2:glibc-tuned
ON_SETTINGS_AT ?= first
ON_LIBS ?= norse,spikingjelly,snntorch
ON_TIMEOUT ?= 7200
# Precisions, comma-separated: float32, bf16 (peers' forward under
# torch.autocast to bfloat16, braingo bench models --precision bf16; every
# program runs at each). ON_PRECISION=float32,bf16 compares both.
ON_PRECISION ?= float32
# braingo's products, comma-separated: blocked (kernels.Gemm, the default),
# strassen (bench models --gemm strassen); each runs as its own program.
ON_GEMM ?= blocked
# The allocators the settings preload (Debian main; see README).
ON_APT := libtcmalloc-minimal4 libjemalloc2
bench-open-neuromorphic: build bench-open-neuromorphic-setup
	@mkdir -p $(BASELINE_RESULTS)
	$(OPENBLAS_CLEAN) $(PYTHON) baselines/open_neuromorphic.py --compare --sizes $(ON_SIZES) --rounds $(ON_ROUNDS) \
		--warmup $(ON_WARMUP) --settings $(ON_SETTINGS) --settings-at $(ON_SETTINGS_AT) --libs $(ON_LIBS) \
		--timeout $(ON_TIMEOUT) --braingo-threads $(THREADS) --precision $(ON_PRECISION) \
		--braingo-gemm $(ON_GEMM) --out $(BASELINE_RESULTS)/open_neuromorphic_$$(date -u +%Y%m%d-%H%M%S).jsonl $(BASELINE_ARGS)

# Installs the allocators with apt-get when missing (as root).
bench-open-neuromorphic-setup:
	@missing=""; \
	for p in $(ON_APT); do \
		dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "bench-open-neuromorphic-setup: all packages present ($(ON_APT))"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "bench-open-neuromorphic-setup: installing$$missing"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "bench-open-neuromorphic-setup: missing$$missing; run: sudo apt-get install --no-install-recommends$$missing" >&2; exit 1; \
	fi

# OpenBLAS with and without the overrides: the core and version each picks,
# and the same products computed by both against float64 (exit 1 if they
# disagree). See baselines/openblas_info.py.
baselines-openblas-check:
	$(PYTHON) baselines/openblas_info.py --check

baselines-check:
	@ok=1; \
	if $(PYTHON) -c 'import torch' >/dev/null 2>&1; then \
		echo "baselines-check: torch $$($(PYTHON) -c 'import torch; print(torch.__version__)') ($(PYTHON))"; \
	else \
		ok=0; \
		echo "baselines-check: $(PYTHON) cannot import torch. Install Debian's PyTorch (OpenBLAS build):"; \
		echo "    apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread python3-numpy python3-h5py"; \
	fi; \
	if $(BASELINE_ENV) $(PYTHON) -c 'import snntorch' >/dev/null 2>&1; then \
		echo "baselines-check: snntorch $$($(BASELINE_ENV) $(PYTHON) -c 'import snntorch; print(snntorch.__version__, snntorch.__file__)')"; \
	else \
		ok=0; \
		echo "baselines-check: $(PYTHON) cannot import snntorch with PYTHONPATH=$(SNNTORCH_SRC)."; \
		echo "  snnTorch is pure Python and not packaged by Debian; put its source (v0.9.4) in SNNTORCH_SRC:"; \
		echo "    git clone --depth 1 --branch v0.9.4 https://github.com/jeshraghian/snntorch.git $(SNNTORCH_SRC)"; \
		echo "  or, from a local clone or mirror (only the package folder is needed):"; \
		echo "    git -C /path/to/snntorch archive v0.9.4 snntorch | tar -x -C $(SNNTORCH_SRC)"; \
		echo "  then: make baselines-check SNNTORCH_SRC=$(SNNTORCH_SRC)"; \
		echo "  ('import snntorch' needs only torch and numpy; pandas/matplotlib only for snntorch.spikeplot.)"; \
	fi; \
	test $$ok = 1

baseline-fmnist-snn: baselines-check
	@mkdir -p $(BASELINE_RESULTS)
	for impl in snntorch torch hoisted; do \
		$(BASELINE_RUN) baselines/fmnist_snn.py --impl $$impl --epochs $(BASELINE_EPOCHS) \
			--threads $(BASELINE_TORCH_THREADS) --out $(BASELINE_RESULTS)/fmnist_snn.jsonl $(BASELINE_ARGS) || exit 1; \
	done

# randman-rsnn's data exported by braingo, then the PyTorch network on it
# (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: see DESIGN.md).
BASELINE_RANDMAN_DATA ?= $(BASELINE_RESULTS)/randman-data
baseline-randman:
	@mkdir -p $(BASELINE_RESULTS)
	go run ./cmd/braingo data export randman-rsnn --out $(BASELINE_RANDMAN_DATA)
	$(OPENBLAS_CLEAN) OPENBLAS_NUM_THREADS=$(BASELINE_BLAS_THREADS) $(PYTHON) \
		baselines/randman_spytorch.py --data $(BASELINE_RANDMAN_DATA) --epochs $(BASELINE_EPOCHS) \
		--threads $(BASELINE_TORCH_THREADS) $(BASELINE_ARGS) | tee -a $(BASELINE_RESULTS)/randman_spytorch.jsonl

baseline-fmnist-s2: baselines-check
	@mkdir -p $(BASELINE_RESULTS)
	for impl in snntorch torch; do \
		$(BASELINE_RUN) baselines/fmnist_s2.py --impl $$impl --epochs $(BASELINE_EPOCHS) \
			--threads $(BASELINE_TORCH_THREADS) --out $(BASELINE_RESULTS)/fmnist_s2.jsonl $(BASELINE_ARGS) || exit 1; \
	done

baseline-verify: baselines-check
	$(BASELINE_RUN) baselines/fmnist_snn.py --verify-batches 20
	$(BASELINE_RUN) baselines/fmnist_snn.py --verify-batches 20 --surrogate fast_sigmoid
	$(BASELINE_RUN) baselines/fmnist_s2.py --verify-batches 5
	$(BASELINE_RUN) baselines/fmnist_s2.py --verify-batches 3 --learn-decay

# Yang et al. 2019's 20-task network (softplus leaky RNN, 256 units, dt 20 ms)
# in plain PyTorch on the paper's own trials: their task.py, read from a
# checkout of github.com/gyyang/multitask outside this repository (nothing of
# it is committed), for the per-task reference of docs/tasks-results.md.
# One torch and one OpenBLAS thread at nice 19 (the machine is shared).
MULTITASK_SRC ?= /opt/multitask-src
YANG19_TRIALS ?= 512000
YANG19_SEED ?= 0
baseline-yang19:
	@test -f $(MULTITASK_SRC)/task.py || { echo "baseline-yang19: no $(MULTITASK_SRC)/task.py: git clone https://github.com/gyyang/multitask $(MULTITASK_SRC) (only task.py is read)" >&2; exit 2; }
	@mkdir -p $(BASELINE_RESULTS)
	$(OPENBLAS_CLEAN) OPENBLAS_NUM_THREADS=1 nice -n 19 $(PYTHON) baselines/yang19_multitask.py \
		--multitask-src $(MULTITASK_SRC) --trials $(YANG19_TRIALS) --seed $(YANG19_SEED) \
		--threads 1 $(BASELINE_ARGS) --out $(BASELINE_RESULTS)/yang19_multitask.jsonl
