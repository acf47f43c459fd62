// Errors of the sync API as the upstream sync service shapes them: an RFC 9457 problem-details
// body ({ status, title, detail }, application/problem+json). `title` is stable and safe to branch
// on; `detail` says what was wrong with this request.

export type ProblemTitle =
  | "Bad Request"
  | "Bad Audio"
  | "Audio Too Short"
  | "Audio Too Large"
  | "Unauthorized"
  | "Unsupported Media Type"
  | "Service Unavailable"
  | "Capacity Exceeded"
  | "Inference Timeout"
  | "Inference Error";

export class SyncProblem extends Error {
  override name = "SyncProblem";
  constructor(
    readonly status: 400 | 401 | 413 | 415 | 500 | 503 | 504,
    readonly title: ProblemTitle,
    readonly detail: string,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

export function problemResponse(p: SyncProblem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ status: p.status, title: p.title, detail: p.detail }), {
    status: p.status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}
