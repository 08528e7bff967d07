#!/usr/bin/env bash
# The GPU check (issue 15): one command, on one GPU, under 5 minutes (--budget-s, installs included).
# Installs what the GPU backends need when missing (@tensorflow/tfjs-node-gpu 4.22 with an NVIDIA GPU,
# the webgpu package), runs W1, W2 and the nmf-gpu paper workload (5000 x 1000, brunet, k = 2..5) on
# wasm and on every GPU backend available (webgpu: the fused WGSL kernels, shards say webgpu-fused;
# tensorflow: the tfjs-ops path with the restarts of a k batched), compares each
# GPU run's labels with wasm's and writes one JSON (schema: bench/gpu.schema.json) with times and the
# peak device memory (nvidia-smi).
#
#   bench/gpu.sh [--no-build] [--out FILE] [--budget-s S] [--no-install] [--quick] [--allow-software]
#
# --no-build uses the dist/ already built (the tests pass it: `npm test` builds first); the other
# options are the driver's (bench/gpu/main.ts, --help).
#
# Exit codes: 0 measured, every GPU run's labels equal wasm's; 1 failed (build, npm, a bug);
# 2 usage; 3 no GPU found: nothing measured, the JSON says why (status no_gpu);
# 4 a GPU run's labels differ from wasm's; 5 a run failed or did not fit the budget (the JSON says which).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1; then
  echo "bench/gpu.sh: node is not installed (Node.js >= 20.19 is needed)" >&2
  exit 1
fi
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund >&2
fi
# Rebuild unless told not to: a stale dist/ would measure other code than the working tree's.
if [ "${1:-}" = "--no-build" ]; then
  shift
elif ! npm run build --silent >&2; then
  echo "bench/gpu.sh: npm run build failed; nothing was measured" >&2
  exit 1
fi
exec node dist/bench/gpu/main.js "$@"
