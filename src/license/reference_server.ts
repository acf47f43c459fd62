// A small reference license-and-usage server for tests and for operators who run their own:
// POST /v1/checkin verifies the license, POST /v1/usage/batch stores records once per id,
// GET /v1/usage lists them. It can be told to fail, to exercise the sidecar's retries.
// Run with `deno task license-server`.
import { Context, Hono } from "hono";
import { z } from "zod";
import { ConfigError, envBool, readEnv } from "../config/env.ts";
import { errorMessage } from "./http.ts";
import { LicenseError, LicenseVerificationKey, readPublicKeyFile, verifyLicenseToken } from "./license.ts";
import { UsageRecord, usageRecordSchema } from "./usage_record.ts";

export interface FailureSettings {
  /** Answer check-ins with this HTTP status instead of verifying. */
  checkinStatus: number | null;
  /** Answer usage batches with this HTTP status without storing them. */
  usageStatus: number | null;
  /** Store the batch, then answer 500: the sender never learns it arrived. */
  usageStoreThenFail: boolean;
  /** Hold each usage answer this long after storing, so a sender can die while waiting. */
  usageDelayMs: number;
}

export interface ReferenceServerStats {
  checkins: number;
  batches: number;
  deliveries: number;
  /** Batches stored but not yet answered (held by usageDelayMs). */
  answering: number;
  unique: number;
  duplicates: number;
}

export interface ReferenceServerOptions {
  verificationKey: LicenseVerificationKey;
  /** When set, usage requests must carry it in Authorization. */
  usageApiKey?: string;
  /** Append-only JSON lines file of received records, reloaded on start; memory only without it. */
  storeFile?: string;
  /** Exposes POST /v1/test/failures for tests that run the server as a separate process. */
  enableFailureControl?: boolean;
  now?: () => number;
}

export interface ReferenceServer {
  app: Hono;
  setFailures(settings: Partial<FailureSettings>): void;
  /** Every distinct record received, in arrival order. */
  received(): UsageRecord[];
  stats(): ReferenceServerStats;
}

const batchSchema = z.object({
  batch_id: z.string().min(1),
  records: z.array(usageRecordSchema),
});

const failureSchema = z.object({
  checkin_status: z.number().int().min(100).max(599).nullable().optional(),
  usage_status: z.number().int().min(100).max(599).nullable().optional(),
  usage_store_then_fail: z.boolean().optional(),
  usage_delay_ms: z.number().int().min(0).max(60_000).optional(),
});

export async function createReferenceServer(options: ReferenceServerOptions): Promise<ReferenceServer> {
  const now = options.now ?? Date.now;
  const records = new Map<string, UsageRecord>();
  const batchAnswers = new Map<string, { accepted: number; duplicates: number }>();
  const failures: FailureSettings = {
    checkinStatus: null,
    usageStatus: null,
    usageStoreThenFail: false,
    usageDelayMs: 0,
  };
  const counters = { checkins: 0, batches: 0, deliveries: 0, duplicates: 0, answering: 0 };
  if (options.storeFile) await loadStore(options.storeFile, records);

  const setFailures = (settings: Partial<FailureSettings>) => Object.assign(failures, settings);

  const usageAuthorized = (header: string | undefined): boolean => {
    if (!options.usageApiKey) return true;
    return header === options.usageApiKey || header === `Bearer ${options.usageApiKey}`;
  };

  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "ok" }));

  app.post("/v1/checkin", async (c) => {
    counters.checkins++;
    if (failures.checkinStatus !== null) {
      return c.json({ error: "check-in failure injected" }, failures.checkinStatus as 500);
    }
    const token = c.req.header("Authorization")?.replace(/^Bearer\s+/i, "") ?? "";
    try {
      const license = await verifyLicenseToken(token, options.verificationKey, now());
      return c.json({ status: "ok", customer: license.customer, server_time: new Date(now()).toISOString() });
    } catch (error) {
      return c.json({ error: error instanceof LicenseError ? error.message : errorMessage(error) }, 403);
    }
  });

  const storeBatch = async (c: Context, batch: z.infer<typeof batchSchema>): Promise<Response> => {
    let answer = batchAnswers.get(batch.batch_id);
    let duplicateDeliveries = batch.records.length;
    if (!answer) {
      // Claim ids before the first await so concurrent deliveries of a record count it once.
      const fresh: UsageRecord[] = [];
      for (const record of batch.records) {
        if (records.has(record.id)) continue;
        records.set(record.id, record);
        fresh.push(record);
      }
      // Write down before acknowledging, like any usage server should.
      if (options.storeFile && fresh.length > 0) {
        try {
          await appendStore(options.storeFile, fresh);
        } catch (error) {
          for (const record of fresh) records.delete(record.id);
          return c.json({ error: `cannot store usage: ${errorMessage(error)}` }, 500);
        }
      }
      answer = { accepted: fresh.length, duplicates: batch.records.length - fresh.length };
      duplicateDeliveries = answer.duplicates;
      if (batch.records.length > 0) batchAnswers.set(batch.batch_id, answer);
    }
    counters.deliveries += batch.records.length;
    counters.duplicates += duplicateDeliveries;

    if (failures.usageDelayMs > 0) await new Promise((r) => setTimeout(r, failures.usageDelayMs));
    if (failures.usageStoreThenFail) return c.json({ error: "stored, but failure injected" }, 500);
    return c.json({ batch_id: batch.batch_id, ...answer });
  };

  app.post("/v1/usage/batch", async (c) => {
    if (!usageAuthorized(c.req.header("Authorization"))) {
      return c.json({ error: "invalid usage API key" }, 401);
    }
    counters.batches++;
    if (failures.usageStatus !== null) {
      return c.json({ error: "usage failure injected" }, failures.usageStatus as 500);
    }
    const parsed = batchSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: `invalid batch: ${parsed.error.issues[0]?.message}` }, 400);
    counters.answering++;
    try {
      return await storeBatch(c, parsed.data);
    } finally {
      counters.answering--;
    }
  });

  app.get("/v1/usage", (c) => {
    if (!usageAuthorized(c.req.header("Authorization"))) {
      return c.json({ error: "invalid usage API key" }, 401);
    }
    return c.json({ records: [...records.values()], ...stats() });
  });

  if (options.enableFailureControl) {
    app.post("/v1/test/failures", async (c) => {
      const parsed = failureSchema.safeParse(await c.req.json().catch(() => null));
      if (!parsed.success) return c.json({ error: parsed.error.issues[0]?.message }, 400);
      const f = parsed.data;
      setFailures({
        ...(f.checkin_status !== undefined && { checkinStatus: f.checkin_status }),
        ...(f.usage_status !== undefined && { usageStatus: f.usage_status }),
        ...(f.usage_store_then_fail !== undefined && { usageStoreThenFail: f.usage_store_then_fail }),
        ...(f.usage_delay_ms !== undefined && { usageDelayMs: f.usage_delay_ms }),
      });
      return c.json({ ...failures });
    });
  }

  function stats(): ReferenceServerStats {
    return { ...counters, unique: records.size };
  }

  return { app, setFailures, received: () => [...records.values()], stats };
}

async function loadStore(path: string, records: Map<string, UsageRecord>): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    // A torn last line from a crash is skipped; its batch was never acknowledged.
    const parsed = usageRecordSchema.safeParse((() => {
      try {
        return JSON.parse(line);
      } catch {
        return null;
      }
    })());
    if (parsed.success && !records.has(parsed.data.id)) records.set(parsed.data.id, parsed.data);
  }
}

async function appendStore(path: string, fresh: UsageRecord[]): Promise<void> {
  const file = await Deno.open(path, { append: true, create: true });
  try {
    await file.write(new TextEncoder().encode(fresh.map((r) => JSON.stringify(r)).join("\n") + "\n"));
    await file.sync();
  } finally {
    file.close();
  }
}

const envSchema = z.object({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  LICENSE_PUBLIC_KEY_FILE: z.string({ error: "is required (public key that verifies licenses)" }).min(1),
  USAGE_TRACKING_API_KEY: z.string().optional(),
  USAGE_STORE_FILE: z.string().optional(),
  ENABLE_FAILURE_CONTROL: envBool.default(false),
});

async function main(): Promise<void> {
  let env: z.output<typeof envSchema>;
  try {
    env = readEnv("reference server", envSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    Deno.exit(2);
  }
  const server = await createReferenceServer({
    verificationKey: await readPublicKeyFile(env.LICENSE_PUBLIC_KEY_FILE),
    usageApiKey: env.USAGE_TRACKING_API_KEY,
    storeFile: env.USAGE_STORE_FILE,
    enableFailureControl: env.ENABLE_FAILURE_CONTROL,
  });
  Deno.serve({
    port: env.HTTP_PORT,
    onListen: ({ port }) => console.log(`Reference license and usage server listening on port ${port}`),
  }, server.app.fetch);
}

if (import.meta.main) await main();
