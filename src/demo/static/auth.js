// Browsers cannot set headers on a WebSocket, so the page trades an API key for a one-use
// temporary token (GET /v3/token) and connects with ?token=. Without API_KEYS_FILE the server
// accepts any non-empty Authorization, so "demo" stands in for a key.

/** The server wants a (different) API key: the page should ask for one. */
export class NeedsApiKey extends Error {}

/** @param {string} apiKey empty when the user has not given one */
export async function mintToken(apiKey) {
  const res = await fetch("/v3/token?expires_in_seconds=60", {
    headers: { Authorization: apiKey || "demo" },
  });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) throw new NeedsApiKey(body.error ?? "API key required");
  if (!res.ok || typeof body.token !== "string") {
    throw new Error(`token request failed: ${res.status} ${body.error ?? ""}`.trim());
  }
  return body.token;
}
