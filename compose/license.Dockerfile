# The license & usage sidecar (`deno task license-proxy`).
# Build from the repository root: docker build -f compose/license.Dockerfile .
FROM denoland/deno:2.9.6

WORKDIR /app
RUN chown deno:deno /app && mkdir -p /var/lib/earshot/usage && chown deno:deno /var/lib/earshot/usage
USER deno
COPY --chown=deno:deno deno.json deno.lock ./
COPY --chown=deno:deno src ./src
RUN deno cache src/license/main.ts

ENV HTTP_PORT=8080 USAGE_QUEUE_DIR=/var/lib/earshot/usage
# The durable usage queue: mount a volume here so that records survive a restart.
VOLUME /var/lib/earshot/usage
EXPOSE 8080
CMD ["deno", "run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "src/license/main.ts"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["deno", "eval", "const port = Deno.env.get('HTTP_PORT') ?? '8080'; const r = await fetch(`http://127.0.0.1:${port}/health`); Deno.exit(r.ok ? 0 : 1)"]
