#!/usr/bin/env bash
# The device check (docs/gpu.md), run on a GPU machine from the repository
# root after make gpu-check has built build/gpu-check/ here. Needs no Go and
# no network: braingo-cuda, gpu.test, python3 with PyTorch (and CuPy for
# SpikingJelly's CuPy backend). Prints JSON lines, one per result, and
# copies them to $OUT/gpu-check.jsonl when $OUT is set; logs go to
# $OUT (or build/gpu-check/logs). Each step has a time limit, and the whole
# check stops starting steps after BUDGET_S seconds (default 420), so it
# ends within 8 minutes; a step skipped or failed says so in its line.
set -uo pipefail
cd "$(dirname "$0")/.."
CHK=build/gpu-check
BIN=${GPU_CHECK_BIN:-$PWD/$CHK} # where the binaries run from (see below)

# --kernel-tests: the kernels against their CPU counterparts, one JSON line
# per test and subtest (the step below runs the script again this way, so
# that timeout can run it).
# --train-tests: the same for training on the device (package kinds'
# TestGPU*: one step against the CPU path, the loss falling).
if [ "${1:-}" = "--kernel-tests" ] || [ "${1:-}" = "--train-tests" ]; then
	if [ "$1" = "--kernel-tests" ]; then
		(cd gpu && BRAINGO_GPU_BACKEND=cuda "$BIN/gpu.test" -test.v -test.count=1 -test.timeout 170s) > "$2" 2>&1
	else
		(cd kinds && BRAINGO_GPU_BACKEND=cuda "$BIN/kinds.test" -test.run 'GPU' -test.v -test.count=1 -test.timeout 50s) > "$2" 2>&1
	fi
	rc=$?
	kind=kernel_test
	[ "$1" = "--train-tests" ] && kind=train_test
	sed -nE 's/^ *--- (PASS|FAIL|SKIP): ([^ ]+) \(([0-9.]+)s\)$/{"check":"'$kind'","test":"\2","result":"\1","seconds":\3}/p' "$2"
	if [ "$kind" = train_test ]; then
		# The tests' logs (losses, gradient differences, flipped spikes)
		# as JSON lines too.
		grep -E '^\s+\S+_test.go:[0-9]+: ' "$2" | head -40 | sed -E 's/^\s+//; s/[\\"]/ /g; s/.*/{"check":"train_test_log","line":"&"}/'
	fi
	grep -E '^\s+\S+_test.go:[0-9]+: ' "$2" | head -40 >&2
	tail -2 "$2" >&2
	exit $rc
fi
LOG=${OUT:-$CHK/logs}
mkdir -p "$LOG"
RES=$LOG/gpu-check.jsonl
: > "$RES"
BUDGET_S=${BUDGET_S:-420}
START=$(date +%s)
PY=${PYTHON:-python3}

emit() { echo "$1" | tee -a "$RES"; }
elapsed() { echo $(($(date +%s) - START)); }
# limit S: the step's limit, cut to what is left of the budget (0: none left).
limit() {
	local left=$((BUDGET_S - $(elapsed)))
	[ "$left" -lt 0 ] && left=0
	[ "$1" -lt "$left" ] && echo "$1" || echo "$left"
}
# step NAME LIMIT CMD...: runs CMD with its stdout's JSON lines kept and a
# line for the step's end (ok, failed with its exit status, timed out or
# skipped).
step() {
	local name=$1 lim
	lim=$(limit "$2")
	shift 2
	if [ "$lim" -lt 5 ]; then
		emit "{\"check\":\"$name\",\"result\":\"skipped\",\"why\":\"the ${BUDGET_S} s budget is spent\"}"
		return
	fi
	local t0=$(date +%s) rc
	timeout -k 5 "$lim" "$@" > "$LOG/$name.out" 2> "$LOG/$name.err"
	rc=$?
	grep '^{' "$LOG/$name.out" | while IFS= read -r l; do emit "$l"; done
	local res=ok
	[ $rc -ne 0 ] && res=failed
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && res=timeout
	local why=""
	[ $rc -ne 0 ] && why=$(tail -3 "$LOG/$name.err" | tr '\n"\\' ' ' | cut -c1-300)
	emit "{\"check\":\"$name\",\"result\":\"$res\",\"exit\":$rc,\"seconds\":$(($(date +%s) - t0)),\"limit_s\":$lim,\"why\":\"$why\"}"
}

# The binaries travel gzipped (bin.tar.gz) and run from a temporary folder
# (which also serves a tree that is read-only or lost the execute bits).
if [ -f "$CHK/bin.tar.gz" ]; then
	BIN=$(mktemp -d)
	tar -xzf "$CHK/bin.tar.gz" -C "$BIN" && chmod +x "$BIN"/*
elif [ -f "$CHK/braingo-cuda" ] && { [ ! -x "$CHK/braingo-cuda" ] || [ ! -x "$CHK/gpu.test" ]; }; then
	BIN=$(mktemp -d)
	cp "$CHK/braingo-cuda" "$CHK/gpu.test" "$BIN/" && chmod +x "$BIN/braingo-cuda" "$BIN/gpu.test"
fi
for f in "$BIN/braingo-cuda" "$BIN/gpu.test" "$BIN/kinds.test"; do
	if [ ! -f "$f" ]; then
		emit "{\"check\":\"setup\",\"result\":\"failed\",\"why\":\"$f is missing: run make gpu-check where Go is, and carry build/gpu-check\"}"
		exit 1
	fi
done
export GPU_CHECK_BIN=$BIN
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 | tr '"' ' ')
emit "{\"check\":\"machine\",\"gpu\":\"$gpu\",\"host_cores\":$(nproc),\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
step version 30 "$BIN/braingo-cuda" version --json

step kernel_tests 180 bash "$0" --kernel-tests "$LOG/kernel-tests.log"
step train_tests 60 bash "$0" --train-tests "$LOG/train-tests.log"

# The peers' sources, for the Python steps below.
PEERS=$(mktemp -d)
if [ -f "$CHK/peers.tar.gz" ]; then
	tar -xzf "$CHK/peers.tar.gz" -C "$PEERS"
fi
export PYTHONPATH=$PEERS${PYTHONPATH:+:$PYTHONPATH}
emit "{\"check\":\"python\",\"versions\":\"$($PY -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda)' 2>&1 | tr '"\n' "' " | cut -c1-200)\"}"

# fmnist-snn: one epoch of the recipe trained on the device (the full
# 60,000/10,000 split; the run directory in a temporary folder), snnTorch's
# epoch on the same GPU (the same batches), and braingo's epoch on this
# machine's CPU from the same initial weights and batches (the issue's
# accuracy check: the device's within 0.5 points of the CPU's). Each line
# of braingo's --json output gets the step's name and device.
FM=$CHK/fashion-mnist
# fmnist DEVICE: braingo-cuda's epoch on DEVICE (cuda or cpu).
fmnist() {
	"$GPU_CHECK_BIN/braingo-cuda" train fmnist-snn --set device="$1" --set data_dir="$PWD/$FM" --out "$(mktemp -d)/fmnist-run" --json |
		sed "s/^{/{\"check\":\"fmnist_snn_braingo\",\"device\":\"$1\",/"
	return "${PIPESTATUS[0]}"
}
export -f fmnist
export FM
if [ -f "$FM/train-images-idx3-ubyte.gz" ]; then
	step fmnist_snn 120 bash -c "fmnist cuda"
	step fmnist_snn_snntorch 120 $PY baselines/gpu_check_fmnist.py --data-dir "$FM" --device cuda
	step fmnist_snn_cpu 90 bash -c "fmnist cpu"
else
	emit "{\"check\":\"fmnist_snn\",\"result\":\"skipped\",\"why\":\"$FM was not carried (make gpu-check copies Debian's Fashion-MNIST there)\"}"
fi

step on 150 "$BIN/braingo-cuda" gpu on --json --n 4096,8192,16384 --warmup 1 --rounds 3
step coba 150 "$BIN/braingo-cuda" gpu coba --json --neurons 4000,40000,400000,4000000 --duration-ms 5000
step sim_cli 40 "$BIN/braingo-cuda" sim coba --set device=cuda --set conn=jit --set duration_ms=1000 --json

# The peers beside braingo on the same GPU.
step peer_snntorch 120 $PY baselines/gpu_peers.py --peer snntorch
step peer_spikingjelly_cupy 90 $PY baselines/gpu_peers.py --peer spikingjelly-cupy
step peer_norse_compile 120 $PY baselines/gpu_peers.py --peer norse-compile
emit "{\"check\":\"done\",\"seconds\":$(elapsed)}"
