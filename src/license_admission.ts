// Which license gate the all-in-one server uses: a remote sidecar
// (AAI_LICENSE_AND_USAGE_PROXY_ENDPOINT), an embedded one (LICENSE_FILE_PATH and the sidecar's
// variables), or none: without a license Earshot runs as an unlicensed open-source server.
import type { Admission } from "./gateway/app.ts";
import { HttpLicenseGate, type LicenseGate } from "./license/client.ts";
import { loadSidecarConfig } from "./license/config.ts";
import { createSidecar } from "./license/sidecar.ts";
import { createLogger, type Logger } from "./log.ts";

export interface LicenseAdmission {
  admission: Admission;
  stop(): Promise<void>;
}

function fromGate(gate: LicenseGate, stop: () => Promise<void>): LicenseAdmission {
  return {
    admission: {
      admit: (route) => gate.admit(route),
      reportUsage: (record) => gate.reportUsage(record),
      maxConcurrentSessions: async () => (await gate.licenseSummary())?.max_concurrent_sessions,
    },
    stop,
  };
}

/** endpoint: a remote sidecar; licenseFile: embed one (its other variables read by loadSidecarConfig). */
export async function licenseAdmission(
  { endpoint, licenseFile }: { endpoint?: string; licenseFile?: string },
  log: Logger,
): Promise<LicenseAdmission | undefined> {
  if (endpoint) {
    const gate = new HttpLicenseGate(endpoint);
    log.info(`license and usage sidecar at ${endpoint}`);
    return fromGate(gate, () => gate.close());
  }
  if (!licenseFile) {
    log.info("no license configured: running unlicensed");
    return undefined;
  }
  const config = loadSidecarConfig();
  const sidecar = createSidecar(config, {
    logger: createLogger({
      service: "license-sidecar",
      level: config.loggingLevel,
      structured: config.structuredLogging,
    }),
    onFatal: (reason) => {
      log.error(`usage reporting failed for too long (${reason}); exiting for a restart`);
      Deno.exit(3);
    },
  });
  await sidecar.start();
  log.info("license sidecar embedded in-process");
  return fromGate(sidecar.gate, async () => {
    await sidecar.gate.close();
    await sidecar.stop();
  });
}
