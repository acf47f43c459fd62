// One check-in with the license server: POST /v1/checkin with the license as bearer token. A 401/403
// means the server refuses this license; anything else that is not 2xx counts as an outage.
import { bodyExcerpt, errorMessage, FetchLike, fetchWithTimeout } from "./http.ts";

export type CheckinOutcome =
  | { kind: "accepted" }
  | { kind: "rejected"; reason: string }
  | { kind: "failed"; reason: string };

export type CheckIn = (licenseToken: string, body: Record<string, unknown>) => Promise<CheckinOutcome>;

export function createCheckinClient(
  options: { url: string; fetch?: FetchLike; timeoutMs?: number },
): CheckIn {
  const fetchFn = options.fetch ?? fetch;
  const endpoint = `${options.url.replace(/\/+$/, "")}/v1/checkin`;
  return async (licenseToken, body) => {
    let response: Response;
    try {
      response = await fetchWithTimeout(fetchFn, endpoint, {
        method: "POST",
        headers: { "Authorization": `Bearer ${licenseToken}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }, options.timeoutMs ?? 10_000);
    } catch (error) {
      return { kind: "failed", reason: `license server unreachable at ${endpoint}: ${errorMessage(error)}` };
    }
    const excerpt = await bodyExcerpt(response);
    if (response.ok) return { kind: "accepted" };
    const reason = `license server answered HTTP ${response.status}: ${excerpt}`;
    return response.status === 401 || response.status === 403
      ? { kind: "rejected", reason }
      : { kind: "failed", reason };
  };
}
