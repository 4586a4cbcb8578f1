# NIR cross-check: files braingo writes load in the NIR reference
# implementation (nir.read) and in snnTorch's import_from_nir, and the
# reference's and snnTorch's files load in braingo. Included by the project
# Makefile; see README.md, "Export to NIR".
#
#	make nir-check               # train, export, import, eval, cross-check
#	make nir-testdata            # rewrite nir/testdata with the reference and snnTorch
#
# NIR_SRC is a folder with the NIR reference implementation's nir/ package
# and nirtorch/ (github.com/neuromorphs/NIR v1.0.7, NIRTorch) and a
# nir-1.0.7.dist-info/METADATA ("Version: 1.0.7", which nir.write records);
# SNNTORCH_SRC holds snntorch/ (v0.9.4). Neither is vendored here.

NIR_SRC ?= /opt/nir-src
SNNTORCH_SRC ?= /opt/snntorch-src
NIR_CHECK_DIR ?= /tmp/braingo-nir-check
NIR_CHECK_LIMIT ?= 2000
# NORSE_SRC (optional) holds norse/ (github.com/norse/norse); check also
# runs Norse's from_nir when it is there.
NORSE_SRC ?= /opt/norse-src
NIR_ENV := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONPATH=$(NIR_SRC):$(SNNTORCH_SRC):$(NORSE_SRC)$${PYTHONPATH:+:$$PYTHONPATH}

.PHONY: nir-check nir-check-csnn nir-testdata

nir-check: build
	@$(NIR_ENV) $(PYTHON) -c 'import h5py, torch, nir, nirtorch, snntorch' || { \
		echo "nir-check: needs python3-h5py, python3-torch (make setup) and NIR_SRC=$(NIR_SRC), SNNTORCH_SRC=$(SNNTORCH_SRC) (see baselines/nir.mk)"; exit 1; }
	rm -rf $(NIR_CHECK_DIR) && mkdir -p $(NIR_CHECK_DIR)
	$(BIN) train fmnist-snn --set data.train_limit=10000 --out $(NIR_CHECK_DIR)/subtract --json
	$(BIN) train fmnist-snn --set data.train_limit=10000 --set model.reset=zero --out $(NIR_CHECK_DIR)/zero --json
	$(BIN) export $(NIR_CHECK_DIR)/subtract --format nir -o $(NIR_CHECK_DIR)/subtract.nir --lossy
	$(BIN) export $(NIR_CHECK_DIR)/zero --format nir -o $(NIR_CHECK_DIR)/zero.nir
	$(BIN) import $(NIR_CHECK_DIR)/subtract.nir -o $(NIR_CHECK_DIR)/imported
	$(BIN) eval $(NIR_CHECK_DIR)/subtract --json | cut -c1-60
	$(BIN) eval $(NIR_CHECK_DIR)/imported --json | cut -c1-60
	$(BIN) train dms-snn --set model.neuron=lif --set model.units=20 --set train.epochs=1 --set train.batches=2 \
		--set train.batch_size=8 --set train.eval_trials=16 --out $(NIR_CHECK_DIR)/rsnn --json
	$(BIN) export $(NIR_CHECK_DIR)/rsnn -o $(NIR_CHECK_DIR)/rsnn.nir --lossy
	for f in subtract zero; do \
		$(NIR_ENV) $(PYTHON) baselines/nir_check.py check $(NIR_CHECK_DIR)/$$f.nir --limit $(NIR_CHECK_LIMIT) || exit 1; \
	done
	$(NIR_ENV) $(PYTHON) baselines/nir_check.py check-graph $(NIR_CHECK_DIR)/rsnn.nir
	NIR_DUMP=$(NIR_CHECK_DIR) $(GO) test -count=1 -run DumpEveryType ./nir
	$(NIR_ENV) $(PYTHON) baselines/nir_check.py check-every $(NIR_CHECK_DIR)/braingo_every_type.nir
	$(NIR_ENV) $(PYTHON) baselines/nir_check.py write-reference $(NIR_CHECK_DIR)/reference
	# snnTorch's 5-6-3 file converts to a braingo network (nir tests); braingo
	# import refuses it for a Fashion-MNIST run directory (5 inputs, not 784).
	$(GO) test -count=1 -run 'TestReadReferenceFiles' ./nir

# The conv SNN export (csnn-classify, bin/braingo-torch): average pooling
# and batch norm (folded into the convolutions), reset by subtraction
# (--lossy) and all-zero resets (no --lossy); nir.read with type checking,
# braingo's semantics run from the file alone, snnTorch's import.
nir-check-csnn: torch
	rm -rf $(NIR_CHECK_DIR)/csnn-* && mkdir -p $(NIR_CHECK_DIR)
	for v in subtract zero; do \
		bin/braingo-torch train fmnist-csnn --set model.pool=avg --set model.batch_norm=true --set model.reset=$$v \
			--set model.readout_reset=$$v --set data.train_limit=20000 --set data.test_limit=$(NIR_CHECK_LIMIT) \
			--out $(NIR_CHECK_DIR)/csnn-$$v --json | cut -c1-200 || exit 1; \
	done
	bin/braingo-torch export $(NIR_CHECK_DIR)/csnn-subtract --format nir -o $(NIR_CHECK_DIR)/csnn-subtract.nir --lossy
	bin/braingo-torch export $(NIR_CHECK_DIR)/csnn-zero --format nir -o $(NIR_CHECK_DIR)/csnn-zero.nir
	for v in subtract zero; do \
		$(NIR_ENV) $(PYTHON) baselines/nir_check.py check-conv $(NIR_CHECK_DIR)/csnn-$$v.nir --limit $(NIR_CHECK_LIMIT) || exit 1; \
	done

nir-testdata:
	$(NIR_ENV) $(PYTHON) baselines/nir_check.py write-reference nir/testdata
