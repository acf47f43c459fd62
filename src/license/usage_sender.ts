// Delivers batches of usage records to the usage server. Each record's id is its idempotency key;
// the batch id is derived from the ids so that a retried batch carries the same key.
import { bodyExcerpt, errorMessage, FetchLike, fetchWithTimeout } from "./http.ts";
import { UsageRecord } from "./usage_record.ts";

export interface UsageBatch {
  batch_id: string;
  records: UsageRecord[];
}

export class UsageDeliveryError extends Error {
  override name = "UsageDeliveryError";
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

export interface UsageSender {
  /** Resolves only on a 2xx answer, which means the server has the records. */
  send(batch: UsageBatch): Promise<void>;
  /** Proves the usage server is reachable and accepts the API key. */
  checkConnectivity(): Promise<void>;
}

export interface UsageSenderOptions {
  url: string;
  apiKey: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

export async function batchIdFor(records: readonly UsageRecord[]): Promise<string> {
  const ids = records.map((r) => r.id).join("\n");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(ids));
  const hex = Array.from(new Uint8Array(digest).subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  return `batch-${hex}`;
}

export function createUsageSender(options: UsageSenderOptions): UsageSender {
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const endpoint = `${options.url.replace(/\/+$/, "")}/v1/usage/batch`;

  const post = async (batch: UsageBatch): Promise<void> => {
    let response: Response;
    try {
      response = await fetchWithTimeout(fetchFn, endpoint, {
        method: "POST",
        headers: {
          "Authorization": options.apiKey,
          "Idempotency-Key": batch.batch_id,
          "Content-Type": "application/json",
        },
        body: JSON.stringify(batch),
      }, timeoutMs);
    } catch (error) {
      throw new UsageDeliveryError(`usage server unreachable at ${endpoint}: ${errorMessage(error)}`);
    }
    const excerpt = await bodyExcerpt(response);
    if (!response.ok) {
      throw new UsageDeliveryError(
        `usage server answered HTTP ${response.status}: ${excerpt}`,
        response.status,
      );
    }
  };

  return {
    send: post,
    checkConnectivity: () => post({ batch_id: `connectivity-check-${crypto.randomUUID()}`, records: [] }),
  };
}
