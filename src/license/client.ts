// What a gateway uses to ask "may this session start?" and to hand over usage: the LicenseGate, either
// talking HTTP to a sidecar in another container or wrapping a sidecar embedded in the same process.
import { z } from "zod";
import { Admission, decideAdmission, LicenseSummary, refuse } from "./admission.ts";
import { BILLING_MODES } from "./license.ts";
import { LicenseStatus } from "./license_state.ts";
import { bodyExcerpt, errorMessage, FetchLike, fetchWithTimeout } from "./http.ts";
import { parseUsageRecord, UsageRecord } from "./usage_record.ts";

export type { Admission, LicenseSummary } from "./admission.ts";
export type { UsageRecord } from "./usage_record.ts";

export interface LicenseGate {
  /** Whether a new session for this model route may start; a refusal's reason fits a 1008 close. */
  admit(model: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Resolves once the sidecar holds the record durably; rejects if that could not be achieved. */
  reportUsage(record: UsageRecord): Promise<void>;
  /** The license's terms (for the gateway's concurrent-session cap); null when unknown. */
  licenseSummary(): Promise<LicenseSummary | null>;
  close(): Promise<void>;
}

/** The parts of an embedded sidecar the in-process gate reads. */
export interface EmbeddedSidecar {
  status(): LicenseStatus;
  /** Why the state is Failed, when known. */
  problem(): string | null;
  licenseSummary(): LicenseSummary | null;
  licenseProblem(): string | null;
  enqueueUsage(record: UsageRecord): Promise<void>;
}

/** For the all-in-one server: same decisions as over HTTP, no port, no serialization. */
export class InProcessLicenseGate implements LicenseGate {
  #sidecar: EmbeddedSidecar;
  #closed = false;

  constructor(sidecar: EmbeddedSidecar) {
    this.#sidecar = sidecar;
  }

  admit(model: string): Promise<Admission> {
    if (this.#closed) return Promise.resolve(refuse("license gate is closed"));
    const sidecar = this.#sidecar;
    return Promise.resolve(decideAdmission({
      state: sidecar.status().state,
      problem: sidecar.problem(),
      license: sidecar.licenseSummary(),
      licenseProblem: sidecar.licenseProblem(),
      model,
    }));
  }

  async reportUsage(record: UsageRecord): Promise<void> {
    if (this.#closed) throw new Error("license gate is closed");
    const parsed = parseUsageRecord(record);
    if (!parsed.ok) throw new Error(parsed.error);
    await this.#sidecar.enqueueUsage(parsed.record);
  }

  licenseSummary(): Promise<LicenseSummary | null> {
    return Promise.resolve(this.#sidecar.licenseSummary());
  }

  /** The embedding server stops the sidecar itself; closing only stops this gate. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}

const statusSchema = z.object({
  state: z.enum(["Ready", "Connected", "TrustBased", "Failed"]),
  last_successful_checkin: z.string().nullable(),
  trust_expiration: z.string().nullable(),
  /** Why the state is Failed; absent from sidecars older than this field. */
  problem: z.string().nullable().optional(),
});

const summarySchema = z.object({
  customer: z.string(),
  billing_mode: z.enum(BILLING_MODES),
  max_concurrent_sessions: z.number().int().positive(),
  allowed_models: z.array(z.string()),
  expires_at: z.string(),
});

export interface HttpLicenseGateOptions {
  fetch?: FetchLike;
  requestTimeoutMs?: number;
  /** Attempts for one usage report before reportUsage rejects. */
  reportAttempts?: number;
  /** First pause between usage report attempts; doubles each time. */
  retryDelayMs?: number;
  /** How long the license summary is reused before asking again. */
  licenseCacheMs?: number;
  /** How long close() lets in-flight usage reports finish before aborting them. */
  closeTimeoutMs?: number;
  now?: () => number;
}

/** The sidecar refused the record itself (HTTP 400): sending it again will not help. */
export class RejectedRecordError extends Error {}

/** For a gateway in its own container: talks to the sidecar at baseUrl. */
export class HttpLicenseGate implements LicenseGate {
  #baseUrl: string;
  #fetch: FetchLike;
  #options: Required<Omit<HttpLicenseGateOptions, "fetch">>;
  #summary: { value: LicenseSummary; fetchedAtMs: number } | null = null;
  #inFlight = new Set<Promise<unknown>>();
  #abort = new AbortController();
  #closed = false;

  constructor(baseUrl: string, options: HttpLicenseGateOptions = {}) {
    this.#baseUrl = baseUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#options = {
      requestTimeoutMs: options.requestTimeoutMs ?? 3_000,
      reportAttempts: options.reportAttempts ?? 5,
      retryDelayMs: options.retryDelayMs ?? 250,
      licenseCacheMs: options.licenseCacheMs ?? 30_000,
      closeTimeoutMs: options.closeTimeoutMs ?? 5_000,
      now: options.now ?? Date.now,
    };
  }

  admit(model: string): Promise<Admission> {
    return this.#track(this.#admit(model));
  }

  reportUsage(record: UsageRecord): Promise<void> {
    return this.#track(this.#reportUsage(record));
  }

  /** The license terms as the sidecar sees them (max sessions, billing mode); null when none. */
  async licenseSummary(): Promise<LicenseSummary | null> {
    const result = await this.#track(this.#fetchSummary());
    return "summary" in result ? result.summary : null;
  }

  async close(): Promise<void> {
    this.#closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.closeTimeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.#inFlight]), deadline]);
    clearTimeout(timer);
    this.#abort.abort(new Error("license gate closed"));
    await Promise.allSettled([...this.#inFlight]);
  }

  async #admit(model: string): Promise<Admission> {
    if (this.#closed) return refuse("license gate is closed");
    let status: z.infer<typeof statusSchema>;
    try {
      const response = await this.#request("/v1/status", { method: "GET" });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) return refuse(`license sidecar answered HTTP ${response.status}`);
      const parsed = statusSchema.safeParse(body);
      if (!parsed.success) return refuse("license sidecar sent an unexpected status");
      status = parsed.data;
    } catch {
      return refuse("license sidecar unreachable");
    }
    if (status.state === "Failed") {
      return decideAdmission({ state: "Failed", problem: status.problem, license: null, model });
    }
    const result = await this.#fetchSummary();
    if ("summary" in result) return decideAdmission({ state: status.state, license: result.summary, model });
    return decideAdmission({ state: status.state, license: null, licenseProblem: result.problem, model });
  }

  async #fetchSummary(): Promise<{ summary: LicenseSummary } | { problem: string }> {
    const now = this.#options.now();
    if (this.#summary && now - this.#summary.fetchedAtMs < this.#options.licenseCacheMs) {
      return { summary: this.#summary.value };
    }
    try {
      const response = await this.#request("/v1/license", { method: "GET" });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const error = (body as { error?: unknown } | null)?.error;
        return {
          problem: typeof error === "string" ? error : `license sidecar answered HTTP ${response.status}`,
        };
      }
      const parsed = summarySchema.safeParse(body);
      if (!parsed.success) return { problem: "license sidecar sent an unexpected license summary" };
      this.#summary = { value: parsed.data, fetchedAtMs: now };
      return { summary: parsed.data };
    } catch {
      return { problem: "license sidecar unreachable" };
    }
  }

  async #reportUsage(record: UsageRecord): Promise<void> {
    if (this.#closed) throw new Error("license gate is closed");
    const parsed = parseUsageRecord(record);
    if (!parsed.ok) throw new Error(parsed.error);
    let lastProblem = "";
    for (let attempt = 1; attempt <= this.#options.reportAttempts; attempt++) {
      try {
        const response = await this.#request("/v1/usage", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(parsed.record),
        });
        const excerpt = await bodyExcerpt(response);
        if (response.ok) return;
        lastProblem = `HTTP ${response.status}: ${excerpt}`;
        // The record itself is wrong; sending it again will not help.
        if (response.status === 400) {
          throw new RejectedRecordError(`sidecar rejected usage record: ${excerpt}`);
        }
      } catch (error) {
        if (error instanceof RejectedRecordError) throw error;
        lastProblem = errorMessage(error);
      }
      if (this.#abort.signal.aborted) break;
      if (attempt < this.#options.reportAttempts) {
        await sleep(this.#options.retryDelayMs * 2 ** (attempt - 1), this.#abort.signal).catch(() => {});
      }
    }
    throw new Error(`usage record ${parsed.record.id} not delivered to the license sidecar: ${lastProblem}`);
  }

  #request(path: string, init: RequestInit): Promise<Response> {
    return fetchWithTimeout(
      this.#fetch,
      `${this.#baseUrl}${path}`,
      init,
      this.#options.requestTimeoutMs,
      this.#abort.signal,
    );
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
