# One ASR service (`deno task asr`) on a CUDA base image.
# Build from the repository root: docker build -f compose/asr.Dockerfile .
#
# GPU libraries: onnxruntime-node's install script downloads the CUDA 12 execution provider
# (libonnxruntime_providers_cuda.so, libonnxruntime_providers_shared.so) next to its native
# binding for Linux x64. Deno runs that script only when allowed (--allow-scripts below). The
# provider loads CUDA 12 and cuDNN 9 from this base image; the host needs the NVIDIA driver and
# the NVIDIA Container Toolkit. ASR_BACKEND=webgpu (onnxruntime-node's WebGPU provider, states
# kept on the GPU) needs the Vulkan loader from the image and the driver's Vulkan ICD, which the
# toolkit mounts when the driver capabilities include "graphics". Without a GPU the same image
# runs on the CPU provider.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
RUN apt-get update && apt-get install -y --no-install-recommends libvulkan1 && rm -rf /var/lib/apt/lists/*
ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics

COPY --from=denoland/deno:bin-2.9.6 /deno /usr/local/bin/deno
RUN useradd --system --create-home --uid 1993 deno

WORKDIR /app
RUN chown deno:deno /app
USER deno
COPY --chown=deno:deno deno.json deno.lock ./
COPY --chown=deno:deno proto ./proto
COPY --chown=deno:deno src ./src
COPY --chown=deno:deno workers ./workers
RUN deno install --allow-scripts=npm:onnxruntime-node --entrypoint src/asr/main.ts workers/model_worker.ts \
  workers/device_worker.ts

# Models are mounted at /app/models (see docker-compose.yml), so one image serves every model.
ENV SERVER_PORT=50051 MODEL=/app/models/en-default
EXPOSE 50051
CMD ["deno", "run", "--allow-net", "--allow-read", "--allow-env", "--allow-ffi", "--allow-sys", "src/asr/main.ts"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["deno", "eval", "const port = Deno.env.get('SERVER_PORT') ?? '50051'; const r = await fetch(`http://127.0.0.1:${port}/health`); Deno.exit(r.ok ? 0 : 1)"]
