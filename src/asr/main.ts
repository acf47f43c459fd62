// `deno task asr`: one ASR service process (the remote side of the WebSocket transport).
import { createLogger, parseLevel } from "../log.ts";
import { loadModelDir } from "../engine/model_dir.ts";
import { decoderSettings, loadAsrConfig, routesFor } from "./config.ts";
import { asrHandler } from "./server.ts";
import { AsrService } from "./service.ts";

const config = loadAsrConfig();
const log = createLogger({
  service: "asr",
  level: parseLevel(config.LOGGING_LEVEL),
  structured: config.USE_STRUCTURED_LOGGING,
});
// Checked here so that a broken model directory stops the service before any worker starts; only the
// name is kept (the workers load their own copies), so the rest can be collected.
const routes = routesFor((await loadModelDir(config.MODEL)).name, config.ROUTES);
const service = new AsrService({
  models: Object.fromEntries(routes.map((r) => [r, config.MODEL])),
  backend: config.ASR_BACKEND,
  workers: config.ASR_WORKERS,
  threadsPerWorker: config.ASR_THREADS,
  maxOpenStreams: config.MAX_OPEN_STREAMS,
  maxBatch: config.ASR_MAX_BATCH,
  maxWaitMs: config.ASR_BATCH_WAIT_MS,
  decoder: decoderSettings(config),
  vad: config.ASR_VAD,
  log: (m) => log.info(m),
});
await service.start();
const server = Deno.serve(
  { port: config.SERVER_PORT, hostname: "0.0.0.0", onListen: () => {} },
  asrHandler(service, routes[0]),
);
log.info(`listening on :${config.SERVER_PORT}, routes ${routes.join(", ")}`);
log.info("Ready to serve!");

const drain = async () => {
  service.draining = true;
  log.info("draining: refusing new streams");
  const deadline = Date.now() + 30_000;
  while (service.openStreams > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await server.shutdown();
  await service.stop();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", drain);
Deno.addSignalListener("SIGINT", drain);
