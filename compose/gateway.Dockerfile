# The gateway (src/serve.ts in remote-ASR mode): protocol, auth, limits, usage, turn formatting.
# No speech model, no GPU.
# Build from the repository root: docker build -f compose/gateway.Dockerfile .
FROM denoland/deno:2.9.6

# ffmpeg decodes `encoding=aac` input (src/gateway/ffmpeg_aac.ts); Opus is decoded in wasm.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The usage outbox (USAGE_OUTBOX_DIR): usage waits here until the license sidecar has it.
RUN chown deno:deno /app && mkdir -p /var/lib/earshot/gateway-usage && chown deno:deno /var/lib/earshot/gateway-usage
USER deno
COPY --chown=deno:deno deno.json deno.lock ./
COPY --chown=deno:deno proto ./proto
COPY --chown=deno:deno src ./src
COPY --chown=deno:deno workers ./workers
# Learned casing and punctuation for formatted English turns (3.8 MB; rules alone without it).
COPY --chown=deno:deno models/en-punctuation ./models/en-punctuation
# Dependencies are fetched at build time so the container starts without network access.
RUN deno cache src/serve.ts

ENV AAI_WSS_PORT=8080 USAGE_OUTBOX_DIR=/var/lib/earshot/gateway-usage
EXPOSE 8080
# The flags of `deno task serve`; tini (the image's init) forwards SIGTERM, which drains sessions.
CMD ["deno", "run", "--allow-net", "--allow-read", "--allow-env", "--allow-ffi", "--allow-sys", \
     "--allow-write=/tmp,/var/lib/earshot/gateway-usage", "src/serve.ts"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["deno", "eval", "const port = Deno.env.get('AAI_WSS_PORT') ?? '8080'; const r = await fetch(`http://127.0.0.1:${port}/v3/health`); Deno.exit(r.ok ? 0 : 1)"]
