#!/usr/bin/env bash
# Builds build/gpu-check/, what the device check (docs/gpu.md) takes to a GPU
# machine, which has no Go and no network: a stripped braingo-cuda, the
# stripped test binary of package gpu (the kernels against their CPU
# counterparts) and peers.tar.gz, the Python sources of the peers (snnTorch,
# Norse, SpikingJelly; PyTorch and CuPy are the machine's). At most 64 MiB
# in all. Run by make gpu-check after make cuda (build/cuda.work, build/cu).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
OUTDIR=build/gpu-check
SNNTORCH_SRC=${SNNTORCH_SRC:-/opt/snntorch-src}
NORSE_SRC=${NORSE_SRC:-/opt/onbench/norse-v1.1.0}
SPIKINGJELLY_SRC=${SPIKINGJELLY_SRC:-/opt/onbench/spikingjelly-3af1e2d4}
LIMIT=$((64 << 20))

if [ ! -f build/cuda.work ] || [ ! -f build/cu/.patched ]; then
	echo "gpu-check: run make cuda first (build/cuda.work and the patched build/cu)" >&2
	exit 1
fi
rm -rf "$OUTDIR"
mkdir -p "$OUTDIR"
export GOWORK=$PWD/build/cuda.work GOFLAGS=-buildvcs=false
echo "gpu-check: building braingo-cuda and gpu.test (stripped)"
"$GO" build -tags cuda -trimpath -ldflags='-s -w' -o "$OUTDIR/braingo-cuda" ./cmd/braingo
"$GO" test -c -tags cuda -trimpath -ldflags='-s -w' -o "$OUTDIR/gpu.test" ./gpu

# The peers: each source folder holds its package folder (snntorch/,
# norse/, spikingjelly/); a missing one is left out and the check says so.
peers=()
for src in "$SNNTORCH_SRC:snntorch" "$NORSE_SRC:norse" "$SPIKINGJELLY_SRC:spikingjelly"; do
	dir=${src%%:*} pkg=${src##*:}
	if [ -d "$dir/$pkg" ]; then
		peers+=(-C "$dir" "$pkg")
	else
		echo "gpu-check: no $pkg sources in $dir (set ${pkg^^}_SRC); the check will report it missing" >&2
	fi
done
if [ ${#peers[@]} -gt 0 ]; then
	tar -czf "$OUTDIR/peers.tar.gz" --exclude=__pycache__ --exclude='*.pyc' --exclude='*.ipynb' \
		--exclude='*.png' --exclude='*.jpg' --exclude='*.gif' --exclude='*.pdf' "${peers[@]}"
fi
total=$(du -cb "$OUTDIR"/* | tail -1 | cut -f1)
ls -l "$OUTDIR"
echo "gpu-check: $OUTDIR holds $((total >> 20)) MiB ($total bytes; the limit is 64 MiB)"
if [ "$total" -gt "$LIMIT" ]; then
	echo "gpu-check: more than 64 MiB would travel" >&2
	exit 1
fi
echo "gpu-check: on the GPU machine, from the repository root: bash baselines/gpu_check_run.sh"
