// Small fetch helpers shared by the sidecar's outbound clients: a per-request deadline that leaves
// no timer behind, and error text short enough for logs.

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export async function fetchWithTimeout(
  fetchFn: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  outerSignal?: AbortSignal,
): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const forwardAbort = () => controller.abort(outerSignal?.reason);
  outerSignal?.addEventListener("abort", forwardAbort, { once: true });
  if (outerSignal?.aborted) forwardAbort();
  try {
    return await fetchFn(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
    outerSignal?.removeEventListener("abort", forwardAbort);
  }
}

/** Reads (and so releases) a response body, keeping at most a log-friendly excerpt. */
export async function bodyExcerpt(response: Response, maxChars = 200): Promise<string> {
  const text = await response.text().catch(() => "");
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
