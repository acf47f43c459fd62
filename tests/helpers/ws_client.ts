// The tests' v3 client: the clients' session (src/client/v3_session.ts) that gives up waiting for
// the close after 30 s, so that a test fails instead of hanging when the server never closes.
import { V3Session } from "../../src/client/v3_session.ts";
import { ok, strictEqual } from "node:assert/strict";
import { chunks, type Wav } from "./wav.ts";

export type { Closed } from "../../src/client/v3_session.ts";

export class TestClient extends V3Session {
  constructor(url: string, headers: Record<string, string> = { Authorization: "self-hosted" }) {
    super(url, { headers, closeTimeoutMs: 30_000 });
  }
}

/** Opens a v3 session with `query`, streams a fixture in 100 ms chunks (20 ms apart), terminates
 * and returns the final, unformatted turns. */
export async function finalTurnsOf(
  wsUrl: string,
  query: URLSearchParams,
  wav: Wav,
): Promise<Record<string, unknown>[]> {
  const client = new TestClient(`${wsUrl}/v3/ws?${query}`);
  await client.waitFor("Begin");
  await client.stream(chunks(wav, 100), 20);
  client.send(JSON.stringify({ type: "Terminate" }));
  await client.waitFor("Termination");
  return client.finalTurns();
}

/** Opens a session, expects an Error frame and the given close code. */
export async function expectRefusal(url: string, code: number, headers?: Record<string, string>) {
  const client = new TestClient(url, headers);
  const closed = await client.closed;
  const error = client.messages.find((m) => m.type === "Error");
  strictEqual(closed.code, code, `close code for ${url}: ${JSON.stringify(closed)}`);
  ok(error, `an Error frame before close ${code}`);
  strictEqual(error.error_code, code);
  ok(typeof error.error === "string" && error.error.length > 0);
  ok(new TextEncoder().encode(closed.reason).length <= 123);
  return { closed, error, messages: client.messages };
}
