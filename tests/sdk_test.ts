// The official AssemblyAI JS SDK, unmodified, against the real server over wss:// (test CA).
import { ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { makeTestPki } from "./helpers/tls.ts";
import { named, unmet } from "../tools/requirements.ts";

const ROOT = new URL("../", import.meta.url).pathname;

interface Event {
  event: string;
  data: Record<string, unknown>;
}

async function runSdk(baseUrl: string, wav: string, caCert: string, credential: string): Promise<Event[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tests/clients/sdk_stream.ts", baseUrl, wav, credential],
    cwd: ROOT,
    env: { DENO_CERT: caCert },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`SDK client failed: ${stdout}\n${new TextDecoder().decode(out.stderr)}`);
  return stdout.trim().split("\n").map((l) => JSON.parse(l));
}

const NO_OPENSSL = unmet("openssl");

Deno.test({
  name: named(
    "official assemblyai SDK streams over wss:// and gets Begin, Turns with the words, Termination",
    NO_OPENSSL,
  ),
  ignore: !!NO_OPENSSL,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pki = await makeTestPki();
    const server = await startServer({ TLS_CERT_FILE: pki.cert, TLS_KEY_FILE: pki.key }, { tls: true });
    try {
      const events = await runSdk(server.wsUrl, "tests/fixtures/numbers.wav", pki.caCert, "self-hosted");
      const open = events.find((e) => e.event === "open");
      ok(open && typeof open.data.id === "string", "Begin reached the SDK");
      ok(!events.some((e) => e.event === "error"), JSON.stringify(events.filter((e) => e.event === "error")));
      const finals = events.filter((e) =>
        e.event === "turn" && e.data.end_of_turn && !e.data.turn_is_formatted
      );
      const text = finals.map((e) => e.data.transcript).join(" ");
      for (const word of ["phone", "number", "five"]) ok(text.includes(word), `"${word}" in "${text}"`);
      // close(true) resolves on Termination; the SDK then drops its listeners, so no close event
      const closeEvent = events.find((e) => e.event === "close");
      if (closeEvent) strictEqual(closeEvent.data.code, 1000);
      strictEqual(events.at(-1)?.event, "done", "close(true) resolved after Termination");

      const res = await fetch(`${server.url}/v3/token?expires_in_seconds=60`, {
        headers: { Authorization: "self-hosted" },
        client: Deno.createHttpClient({ caCerts: [await Deno.readTextFile(pki.caCert)] }),
      } as RequestInit);
      const { token } = await res.json();
      const viaToken = await runSdk(server.wsUrl, "tests/fixtures/order.wav", pki.caCert, `token:${token}`);
      ok(viaToken.some((e) => e.event === "turn"), "a temporary token works through the SDK");

      // Ogg Opus input with session_heartbeat, as the SDK sends them
      const opus = await runSdk(server.wsUrl, "tests/fixtures/weather.opus", pki.caCert, "self-hosted");
      ok(!opus.some((e) => e.event === "error"), JSON.stringify(opus.filter((e) => e.event === "error")));
      const heard = opus.filter((e) => e.event === "turn" && e.data.end_of_turn).map((e) => e.data.transcript)
        .join(" ").toLowerCase();
      ok(heard.includes("weather") && heard.includes("boston"), heard);
      const beats = opus.filter((e) => e.event === "heartbeat");
      ok(
        beats.length >= 2 && beats.every((b) => typeof b.data.realtime_factor === "number"),
        JSON.stringify(beats),
      );
      strictEqual(opus.at(-1)?.event, "done");
    } finally {
      await server.stop();
      await Deno.remove(pki.dir, { recursive: true });
    }
  },
});

// A model of each family the engine serves, on the English route of `deno task serve` (ROUTE_MODELS):
// small stand-ins with the zoo's interfaces and random weights (src/engine/testdata/make_*_fixture.py),
// so their words are gibberish; what counts is that the SDK gets a whole session from each.
const FAMILY_FIXTURES = [
  "nemo-streaming-ctc-80ms-fixture",
  "zipformer-ctc-fixture",
  "zipformer-transducer-fixture",
  "nemo-streaming-transducer-80ms-fixture",
];

Deno.test({
  name: named("official assemblyai SDK through serve on a model of each family (ROUTE_MODELS)", NO_OPENSSL),
  ignore: !!NO_OPENSSL,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pki = await makeTestPki();
    try {
      for (const name of FAMILY_FIXTURES) {
        const dir = `${ROOT}src/engine/testdata/${name}`;
        const server = await startServer(
          { TLS_CERT_FILE: pki.cert, TLS_KEY_FILE: pki.key, ROUTE_MODELS: `en-default=${dir}` },
          { tls: true },
        );
        try {
          const events = await runSdk(server.wsUrl, "tests/fixtures/order.wav", pki.caCert, "self-hosted");
          ok(events.some((e) => e.event === "open"), `${name}: Begin reached the SDK`);
          ok(!events.some((e) => e.event === "error"), `${name}: ${JSON.stringify(events)}`);
          const finals = events.filter((e) => e.event === "turn" && e.data.end_of_turn);
          ok(finals.some((e) => String(e.data.transcript).length > 0), `${name}: ${JSON.stringify(finals)}`);
          strictEqual(events.at(-1)?.event, "done", `${name}: close(true) resolved after Termination`);
          ok(server.output().includes(name), `${name}: the server says which model it serves`);
        } finally {
          await server.stop();
        }
      }
    } finally {
      await Deno.remove(pki.dir, { recursive: true });
    }
  },
});
