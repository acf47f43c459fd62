#!/usr/bin/env bash
# Runs `deno task bench gpu` on a machine with a GPU, from a clean clone: installs the npm packages
# (without onnxruntime-node's install script), raises the open-file limit for thousands of
# streams, and prints the figures (JSON in bench/results/gpu.json). Extra arguments go to the
# benchmark, e.g. `bash bench/gpu.sh --streams 2000,4000 --workers 8`.
# The WebGPU backend needs a Vulkan driver (on NVIDIA: the driver's Vulkan ICD and libvulkan1).
# Where a prepared offline kit is present (.device/prelude.sh: Deno, node_modules and the Vulkan
# loader for a machine without network), it is used instead of the network.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .device/prelude.sh ]; then
  # shellcheck disable=SC1091
  source .device/prelude.sh || true # its last line asks nvidia-smi, absent without an NVIDIA GPU
  cached=--cached-only
else
  DENO=$(command -v deno || echo "npx -y deno@2.9.6")
  cached=
  $DENO install >/dev/null
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
echo "cpus: $(nproc)"
# The ASR services the benchmark starts are Deno subprocesses: they inherit DENO_DIR and run cached too.
exec $DENO run --allow-all $cached bench/main.ts gpu "$@"
