// The sidecar's HTTP surface: health, license state, license terms, and usage ingest. Usage is
// answered 202 only after the record is on disk.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { LicenseSummary } from "./admission.ts";
import { errorMessage } from "./http.ts";
import { LicenseStatus } from "./license_state.ts";
import { parseUsageRecord, UsageRecord } from "./usage_record.ts";

export interface UsageStats {
  pending: number;
  oldest_queued_at: string | null;
  reporting_failing_since: string | null;
  last_error: string | null;
}

/** What the routes need from the sidecar. */
export interface SidecarApiPort {
  status(): LicenseStatus;
  /** Why the state is Failed (or TrustBased); null when all is well. */
  problem(): string | null;
  licenseSummary(): LicenseSummary | null;
  licenseProblem(): string | null;
  /** Resolves true once stored durably, false when this sidecar does not collect usage. */
  acceptUsage(record: UsageRecord): Promise<boolean>;
  usageStats(): UsageStats;
}

const MAX_USAGE_BODY_BYTES = 64 * 1024;

export function createSidecarApp(port: SidecarApiPort): Hono {
  const app = new Hono();

  app.get("/health", (c) => c.json({ status: "ok" }));

  app.get("/v1/status", (c) => {
    const { state, last_successful_checkin, trust_expiration } = port.status();
    // the reason travels with the state, so a gateway over HTTP refuses with the embedded gate's words
    return c.json({ state, last_successful_checkin, trust_expiration, problem: port.problem() });
  });

  app.get("/v1/license", (c) => {
    const summary = port.licenseSummary();
    if (summary) return c.json(summary);
    return c.json({ error: port.licenseProblem() ?? "no valid license" }, 503);
  });

  app.post(
    "/v1/usage",
    bodyLimit({
      maxSize: MAX_USAGE_BODY_BYTES,
      onError: (c) => c.json({ error: `usage record larger than ${MAX_USAGE_BODY_BYTES} bytes` }, 413),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: "invalid usage record: request body is not valid JSON" }, 400);
      }
      const parsed = parseUsageRecord(body);
      if (!parsed.ok) return c.json({ error: parsed.error }, 400);
      try {
        const queued = await port.acceptUsage(parsed.record);
        return c.json({ id: parsed.record.id, queued }, 202);
      } catch (error) {
        // Not stored, so not acknowledged: the gateway keeps the record and retries.
        return c.json({ error: `usage record could not be stored: ${errorMessage(error)}` }, 503);
      }
    },
  );

  app.get("/v1/usage/stats", (c) => c.json(port.usageStats()));

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => c.json({ error: `internal error: ${errorMessage(error)}` }, 500));
  return app;
}
