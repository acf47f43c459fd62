// Which license gate the all-in-one server uses: a remote sidecar
// (AAI_LICENSE_AND_USAGE_PROXY_ENDPOINT), an embedded one (LICENSE_FILE_PATH and the sidecar's
// variables), or none: without a license Earshot runs as an unlicensed open-source server.
// Usage is durable before a session is forgotten either way: embedded, the sidecar's own queue
// takes it (fsynced in-process); remote, the gateway's outbox keeps it until the sidecar has it.
import type { Admission } from "./gateway/app.ts";
import { UsageOutbox } from "./gateway/usage_outbox.ts";
import { HttpLicenseGate, type LicenseGate, RejectedRecordError } from "./license/client.ts";
import { errorMessage } from "./license/http.ts";
import { loadSidecarConfig } from "./license/config.ts";
import { createSidecar } from "./license/sidecar.ts";
import { createLogger, type Logger } from "./log.ts";

/** Where the gateway keeps usage until a remote sidecar has it (USAGE_OUTBOX_DIR). */
export const DEFAULT_OUTBOX_DIR = "/var/lib/earshot/gateway-usage";

/** On shutdown, how long the outbox tries to hand its records to the sidecar before stopping. */
const OUTBOX_FLUSH_MS = 5_000;

export interface LicenseAdmission {
  admission: Admission;
  stop(): Promise<void>;
}

function fromGate(
  gate: LicenseGate,
  stop: () => Promise<void>,
  outbox?: UsageOutbox,
): LicenseAdmission {
  return {
    admission: {
      admit: (route) => gate.admit(route),
      reportUsage: (record) => outbox ? outbox.add(record) : gate.reportUsage(record),
      maxConcurrentSessions: async () => (await gate.licenseSummary())?.max_concurrent_sessions,
      usagePending: outbox ? () => outbox.pending : undefined,
    },
    stop,
  };
}

export interface LicenseAdmissionOptions {
  /** A remote sidecar's URL. */
  endpoint?: string;
  /** Embeds a sidecar (its other variables read by loadSidecarConfig). */
  licenseFile?: string;
  /** The gateway's usage outbox with a remote sidecar. */
  outboxDir?: string;
}

export async function licenseAdmission(
  { endpoint, licenseFile, outboxDir }: LicenseAdmissionOptions,
  log: Logger,
): Promise<LicenseAdmission | undefined> {
  if (endpoint) {
    // One attempt per delivery: the outbox retries, for as long as it takes.
    const gate = new HttpLicenseGate(endpoint, { reportAttempts: 1 });
    const dir = outboxDir ?? DEFAULT_OUTBOX_DIR;
    let outbox: UsageOutbox;
    try {
      outbox = await UsageOutbox.open(dir, {
        deliver: (record) => gate.reportUsage(record),
        isRejection: (error) => error instanceof RejectedRecordError,
        log,
      });
    } catch (error) {
      throw new Error(
        `cannot open the usage outbox in ${dir} (set USAGE_OUTBOX_DIR to a writable directory): ${
          errorMessage(error)
        }`,
      );
    }
    log.info(`license and usage sidecar at ${endpoint}; usage outbox in ${dir}`);
    return fromGate(gate, async () => {
      await outbox.stop(OUTBOX_FLUSH_MS);
      await gate.close();
    }, outbox);
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
