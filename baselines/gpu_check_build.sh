#!/usr/bin/env bash
# Builds build/gpu-check/, what the device check (docs/gpu.md) takes to a GPU
# machine, which has no Go and no network: bin.tar.gz, a stripped
# braingo-cuda and the stripped test binaries of packages gpu (the kernels
# against their CPU counterparts) and kinds (a training step on the device
# against the CPU's), gzipped, peers.tar.gz, the Python sources of the peers (snnTorch,
# Norse, SpikingJelly; PyTorch and CuPy are the machine's), and
# fashion-mnist/, Debian's four gzipped Fashion-MNIST IDX files (31 MB;
# FMNIST_SRC says where they are), for the fmnist-snn epoch on the device.
# What travels, these files and the repository's tracked files, is at most
# 64 MiB. Run by make gpu-check after make cuda (build/cuda.work, build/cu).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
OUTDIR=build/gpu-check
SNNTORCH_SRC=${SNNTORCH_SRC:-/opt/snntorch-src}
NORSE_SRC=${NORSE_SRC:-/opt/onbench/norse-v1.1.0}
SPIKINGJELLY_SRC=${SPIKINGJELLY_SRC:-/opt/onbench/spikingjelly-3af1e2d4}
FMNIST_SRC=${FMNIST_SRC:-/usr/share/datasets/fashion-mnist}
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
"$GO" test -c -tags cuda -trimpath -ldflags='-s -w' -o "$OUTDIR/kinds.test" ./kinds
tar -czf "$OUTDIR/bin.tar.gz" -C "$OUTDIR" braingo-cuda gpu.test kinds.test
rm "$OUTDIR/braingo-cuda" "$OUTDIR/gpu.test" "$OUTDIR/kinds.test"

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
# Fashion-MNIST for the device's fmnist-snn epoch (and snnTorch's beside
# it), gzipped as Debian ships it: braingo and the Python loader read .gz.
fm=()
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
	if [ -f "$FMNIST_SRC/$f.gz" ]; then
		fm+=("$FMNIST_SRC/$f.gz")
	fi
done
if [ ${#fm[@]} -eq 4 ]; then
	mkdir -p "$OUTDIR/fashion-mnist"
	cp "${fm[@]}" "$OUTDIR/fashion-mnist/"
else
	echo "gpu-check: no gzipped Fashion-MNIST in $FMNIST_SRC (apt-get install dataset-fashion-mnist, or set FMNIST_SRC); the check will skip fmnist-snn" >&2
fi
total=$(du -cb "$OUTDIR"/* "$OUTDIR"/fashion-mnist/* 2>/dev/null | tail -1 | cut -f1)
tree=$(git ls-files -z | du -cb --files0-from=- | tail -1 | cut -f1)
ls -l "$OUTDIR"
echo "gpu-check: $OUTDIR holds $((total >> 20)) MiB, the tracked files $((tree >> 20)) MiB; $(((total + tree) >> 20)) MiB travel ($((total + tree)) bytes; the limit is 64 MiB)"
total=$((total + tree))
if [ "$total" -gt "$LIMIT" ]; then
	echo "gpu-check: more than 64 MiB would travel" >&2
	exit 1
fi
echo "gpu-check: on the GPU machine, from the repository root: bash baselines/gpu_check_run.sh"
