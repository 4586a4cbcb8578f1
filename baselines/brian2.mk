# Brian2 baselines for the COBA and COBA-HH protocols of DESIGN.md (issue 5),
# run beside braingo sim. Included by the project Makefile.
#
#	make brian2-check          # can /usr/bin/python3 import brian2?
#	make baseline-coba         # Brian2 COBA in cython and cpp_standalone modes, every size
#	make baseline-coba-hh      # Brian2 COBA-HH at 4,000 neurons, both modes
#	make compare-coba          # braingo sim coba and Brian2 alternated, per size
#
# Results are JSON lines appended to $(BASELINE_RESULTS)/brian2_coba.jsonl
# (and braingo's to sim_coba.jsonl). run_seconds excludes code generation and
# compilation (cpp_standalone: Brian's loop time; cython: a second run).

PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
BASELINE_RESULTS ?= baselines/results
COBA_SIZES ?= 4000 8000 16000 32000 64000
COBA_MODES ?= cython cpp_standalone
COBA_REPEATS ?= 2
BRAINGO ?= bin/braingo
# Brian2 does no BLAS products here, but like every baseline command it
# runs without the machine's OpenBLAS overrides (baselines/openblas_info.py).
BRIAN2_RUN := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PYTHON)

.PHONY: brian2-check baseline-coba baseline-coba-hh compare-coba

brian2-check:
	@$(PYTHON) -c 'import brian2; print("brian2-check: brian2", brian2.__version__)' 2>/dev/null || \
		{ echo "brian2-check: $(PYTHON) cannot import brian2; install Debian's: apt-get install -y python3-brian"; exit 1; }

baseline-coba: brian2-check
	@mkdir -p $(BASELINE_RESULTS)
	@for n in $(COBA_SIZES); do for m in $(COBA_MODES); do \
		$(BRIAN2_RUN) baselines/brian2_coba.py --model coba --mode $$m --n $$n 2>/dev/null | tee -a $(BASELINE_RESULTS)/brian2_coba.jsonl; \
	done; done

baseline-coba-hh: brian2-check
	@mkdir -p $(BASELINE_RESULTS)
	@for m in $(COBA_MODES); do \
		$(BRIAN2_RUN) baselines/brian2_coba.py --model coba-hh --mode $$m --n 4000 2>/dev/null | tee -a $(BASELINE_RESULTS)/brian2_coba.jsonl; \
	done

# Alternate braingo and Brian2 runs so that both see the same machine load.
compare-coba: brian2-check
	@mkdir -p $(BASELINE_RESULTS)
	go build -o $(BRAINGO) ./cmd/braingo
	@for n in $(COBA_SIZES); do for r in $$(seq $(COBA_REPEATS)); do \
		for th in 1 2; do $(BRAINGO) sim coba --set neurons=$$n --set threads=$$th --set plots=false --out /tmp/braingo-coba-$$n --json 2>/dev/null | tee -a $(BASELINE_RESULTS)/sim_coba.jsonl; done; \
		for m in $(COBA_MODES); do \
			$(BRIAN2_RUN) baselines/brian2_coba.py --model coba --mode $$m --n $$n 2>/dev/null | tee -a $(BASELINE_RESULTS)/brian2_coba.jsonl; \
		done; \
	done; done
