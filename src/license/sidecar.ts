// Wires the license sidecar together: license supervisor and state machine, durable usage queue and
// reporter, HTTP routes, and the in-process gate. main.ts serves it; the all-in-one server embeds it.
import { Hono } from "hono";
import { LicenseSummary } from "./admission.ts";
import { readLastSuccessfulCheckin } from "./checkin_record.ts";
import { createCheckinClient } from "./checkin_client.ts";
import { EmbeddedSidecar, InProcessLicenseGate, LicenseGate } from "./client.ts";
import { SidecarConfig } from "./config.ts";
import { errorMessage, FetchLike } from "./http.ts";
import { License } from "./license.ts";
import { LicenseStateMachine } from "./license_state.ts";
import { LicenseSupervisor } from "./license_supervisor.ts";
import { type Logger, silentLogger } from "../log.ts";
import { createSidecarApp, UsageStats } from "./sidecar_api.ts";
import { DurableUsageQueue } from "./usage_queue.ts";
import { UsageRecord } from "./usage_record.ts";
import { UsageReporter } from "./usage_reporter.ts";
import { createUsageSender, UsageSender } from "./usage_sender.ts";

export interface SidecarDeps {
  now?: () => number;
  /** Outbound HTTP to the license and usage servers. */
  fetch?: FetchLike;
  logger?: Logger;
  /** Reporting failed past its limit: the process should exit for the orchestrator to restart it. */
  onFatal?: (reason: string) => void;
  /** Usage-billing startup check: attempts and pause between them. */
  startupCheckAttempts?: number;
  startupCheckDelayMs?: number;
}

export interface Sidecar {
  app: Hono;
  gate: LicenseGate;
  /** Loads the license and queue, checks in, starts reporting. Rejects with StartupError. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class StartupError extends Error {
  override name = "StartupError";
}

export function createSidecar(config: SidecarConfig, deps: SidecarDeps = {}): Sidecar {
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? silentLogger;
  const onFatal = deps.onFatal ?? ((reason: string) => {
    logger.error("Exiting so that the orchestrator restarts the license sidecar", { reason });
    Deno.exit(3);
  });

  const state = new LicenseStateMachine({ now });
  const supervisor = new LicenseSupervisor({
    licenseFilePath: config.licenseFilePath,
    publicKeyFile: config.licensePublicKeyFile,
    stateDir: config.usageQueueDir,
    checkIn: createCheckinClient({ url: config.licenseServerUrl, fetch: deps.fetch }),
    state,
    now,
    logger,
  });
  const sender: UsageSender | null = config.usageTrackingUrl && config.usageTrackingApiKey
    ? createUsageSender({
      url: config.usageTrackingUrl,
      apiKey: config.usageTrackingApiKey,
      fetch: deps.fetch,
    })
    : null;

  let queue: DurableUsageQueue | null = null;
  let reporter: UsageReporter | null = null;
  let warnedAboutDiscarding = false;

  const licenseSummary = (): LicenseSummary | null => {
    const license = supervisor.license;
    return license ? summarize(license) : null;
  };

  const acceptUsage = async (record: UsageRecord): Promise<boolean> => {
    if (!queue) throw new Error("license sidecar is not started");
    if (!reporter) {
      // Flat billing without a usage server: nothing would ever deliver the record.
      if (supervisor.license?.billingMode === "usage" && !warnedAboutDiscarding) {
        warnedAboutDiscarding = true;
        logger.error("Usage billing license but no usage server configured; usage records are not kept");
      }
      return false;
    }
    await queue.enqueue(record);
    if (queue.size >= config.reportBatchSize) reporter.wake();
    return true;
  };

  const usageStats = (): UsageStats => {
    const oldest = queue?.oldestQueuedAtMs() ?? null;
    const failingSince = reporter?.failingSinceMs ?? null;
    return {
      pending: queue?.size ?? 0,
      oldest_queued_at: oldest === null ? null : new Date(oldest).toISOString(),
      reporting_failing_since: failingSince === null ? null : new Date(failingSince).toISOString(),
      last_error: reporter?.lastError ?? null,
    };
  };

  const embedded: EmbeddedSidecar = {
    status: () => state.status(),
    problem: () => state.problem,
    licenseSummary,
    licenseProblem: () => supervisor.licenseProblem,
    enqueueUsage: async (record) => {
      await acceptUsage(record);
    },
  };

  const app = createSidecarApp({
    status: () => state.status(),
    problem: () => state.problem,
    licenseSummary,
    licenseProblem: () => supervisor.licenseProblem,
    acceptUsage,
    usageStats,
  });

  const checkUsageServer = async (usageSender: UsageSender): Promise<void> => {
    const attempts = deps.startupCheckAttempts ?? 3;
    let lastError = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await usageSender.checkConnectivity();
        logger.info("Usage server reachable", { url: config.usageTrackingUrl });
        return;
      } catch (error) {
        lastError = errorMessage(error);
        logger.warn("Usage server check failed", { attempt, error: lastError });
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, deps.startupCheckDelayMs ?? 1000));
    }
    throw new StartupError(`usage billing needs the usage server, and it cannot be used: ${lastError}`);
  };

  return {
    app,
    gate: new InProcessLicenseGate(embedded),

    async start() {
      if (config.usageTrackingUrl && !config.usageTrackingApiKey) {
        throw new StartupError("USAGE_TRACKING_URL is set but USAGE_TRACKING_API_KEY is not");
      }
      try {
        queue = await DurableUsageQueue.open(config.usageQueueDir, { logger, now });
      } catch (error) {
        throw new StartupError(
          `cannot open the usage queue in ${config.usageQueueDir}: ${errorMessage(error)}`,
        );
      }
      const remembered = await readLastSuccessfulCheckin(config.usageQueueDir);
      if (remembered !== null) state.restoreLastSuccessfulCheckin(remembered);

      await supervisor.refreshLicense();
      if (supervisor.license?.billingMode === "usage") {
        if (!sender) {
          throw new StartupError(
            "the license uses usage billing, which needs USAGE_TRACKING_URL and USAGE_TRACKING_API_KEY",
          );
        }
        await checkUsageServer(sender);
      }
      await supervisor.start();
      if (sender) {
        reporter = new UsageReporter({
          queue,
          send: (batch) => sender.send(batch),
          now,
          intervalMs: config.reportIntervalMs,
          batchSize: config.reportBatchSize,
          failureLimitMs: config.reportFailureLimitMs,
          onFatal,
          logger,
        });
        reporter.start();
        if (queue.size > 0) reporter.wake();
      }
      logger.info("License sidecar started", {
        state: state.state,
        pending_usage_records: queue.size,
        reporting: sender ? config.usageTrackingUrl : "off",
      });
    },

    async stop() {
      await reporter?.stop();
      await supervisor.stop();
    },
  };
}

function summarize(license: License): LicenseSummary {
  return {
    customer: license.customer,
    billing_mode: license.billingMode,
    max_concurrent_sessions: license.maxConcurrentSessions,
    allowed_models: license.allowedModels,
    expires_at: new Date(license.expiresAtMs).toISOString(),
  };
}
