# FORCE learning: braingo's force-sines recipe beside the NumPy implementation
# of the same algorithm (baselines/force_numpy.py), same setup, one run each.
# Included by the project Makefile.
#
#	make bench-force                          # 10 s of training, 5 s of test
#	make bench-force FORCE_TRAIN_S=2 FORCE_TEST_S=1   # quicker
#
# Prints both JSON lines and the ratio of training time per simulated second
# (NumPy / braingo). OpenBLAS gets $(THREADS) threads, braingo's kernels the
# same; NumPy runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (see
# baselines/openblas_info.py) and its line names the OpenBLAS core.

FORCE_TRAIN_S ?= 10
FORCE_TEST_S  ?= 5
FORCE_DTYPE   ?= float32

.PHONY: bench-force

bench-force: build
	@if ! $(PYTHON) -c 'import numpy' >/dev/null 2>&1; then \
		echo "bench-force: NumPy is not importable by $(PYTHON); run 'make setup' as root"; exit 1; \
	fi
	@set -e; \
	run=$$(mktemp -d $${TMPDIR:-/tmp}/bench-force.XXXXXX); \
	bg=$$($(BIN) train force-sines --json --set threads=$(THREADS) --set train_s=$(FORCE_TRAIN_S) --set test_s=$(FORCE_TEST_S) --set plots=false --out $$run/run 2>/dev/null); \
	echo "braingo: $$bg"; \
	np=$$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$(THREADS) $(PYTHON) baselines/force_numpy.py --train-s $(FORCE_TRAIN_S) --test-s $(FORCE_TEST_S) --dtype $(FORCE_DTYPE)); \
	echo "numpy:   $$np"; \
	$(PYTHON) -c 'import json,sys; b=json.loads(sys.argv[1]); n=json.loads(sys.argv[2]); \
print("FORCE training time per simulated second: braingo %.3f s, NumPy (%s, OpenBLAS %s) %.3f s, ratio %.2fx; test NMSE braingo %.4f, NumPy %.4f" % \
(b["seconds_per_sim_s"], n["dtype"], n.get("openblas_core", "?"), n["seconds_per_sim_s"], n["seconds_per_sim_s"]/b["seconds_per_sim_s"], b["test_nmse"], n["test_nmse"]))' "$$bg" "$$np"
