// Entry point of the license & usage sidecar (`deno task license-proxy`). Exit codes: 2 bad
// configuration or failed startup, 3 usage reporting failed past REPORT_FAILURE_LIMIT_MINUTES.
import { ConfigError, loadSidecarConfig, SidecarConfig } from "./config.ts";
import { errorMessage } from "./http.ts";
import { createLogger } from "../log.ts";
import { createSidecar } from "./sidecar.ts";

export const EXIT_STARTUP_FAILED = 2;
export const EXIT_REPORTING_FAILED = 3;

async function main(): Promise<void> {
  let config: SidecarConfig;
  try {
    config = loadSidecarConfig();
  } catch (error) {
    console.error(
      error instanceof ConfigError ? error.message : `cannot read configuration: ${errorMessage(error)}`,
    );
    Deno.exit(EXIT_STARTUP_FAILED);
  }
  const logger = createLogger({
    service: "license-sidecar",
    level: config.loggingLevel,
    structured: config.structuredLogging,
  });
  const sidecar = createSidecar(config, {
    logger,
    onFatal: (reason) => {
      logger.error("Exiting so that the orchestrator restarts the license sidecar", { reason });
      Deno.exit(EXIT_REPORTING_FAILED);
    },
  });

  try {
    await sidecar.start();
  } catch (error) {
    logger.error("License sidecar failed to start", { error: errorMessage(error) });
    Deno.exit(EXIT_STARTUP_FAILED);
  }

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      port: config.httpPort,
      hostname: "0.0.0.0",
      onListen: ({ port }) => logger.info("License sidecar listening", { port }),
    }, sidecar.app.fetch);
  } catch (error) {
    logger.error("License sidecar cannot listen", { port: config.httpPort, error: errorMessage(error) });
    await sidecar.stop();
    Deno.exit(EXIT_STARTUP_FAILED);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("Shutting down", { signal });
    await sidecar.stop();
    await server.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", () => void shutdown("SIGTERM"));
  Deno.addSignalListener("SIGINT", () => void shutdown("SIGINT"));
}

if (import.meta.main) await main();
