// The official AssemblyAI Python SDK (PyPI's `assemblyai`, pinned in tools/requirements.ts), unmodified,
// against the real server over wss:// (test CA): the second unmodified client beside the JS SDK.
import { ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { makeTestPki } from "./helpers/tls.ts";
import { named, PYTHON_SDK_PIN, pythonSdkMissing, pythonSdkPython } from "../tools/requirements.ts";

const ROOT = new URL("../", import.meta.url).pathname;

interface Event {
  event: string;
  data: Record<string, unknown>;
}

const NO_SDK = pythonSdkMissing();

Deno.test({
  name: named(
    `official Python SDK (${PYTHON_SDK_PIN}) streams PCM, and Ogg Opus with Heartbeats, over wss://: Begin, Turns with the words, Termination`,
    NO_SDK,
  ),
  ignore: !!NO_SDK,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pki = await makeTestPki();
    const server = await startServer({ TLS_CERT_FILE: pki.cert, TLS_KEY_FILE: pki.key }, { tls: true });
    try {
      for (const file of ["tests/fixtures/weather.wav", "tests/fixtures/weather.opus"]) {
        const out = await new Deno.Command(pythonSdkPython(), {
          args: ["tests/clients/python_sdk_stream.py", `localhost:${server.port}`, file],
          cwd: ROOT,
          // the SDK's TLS context is ssl.create_default_context(): OpenSSL's default paths
          env: { SSL_CERT_FILE: pki.caCert },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stdout = new TextDecoder().decode(out.stdout);
        const why = `${file}; stdout:\n${stdout}\nstderr:\n${new TextDecoder().decode(out.stderr)}`;
        const events: Event[] = stdout.trim().split("\n").filter((l) => l).map((l) => JSON.parse(l));

        ok(!events.some((e) => e.event === "Error"), `no Error event; ${why}`);
        strictEqual(events[0]?.event, "Begin", `Begin first; ${why}`);
        ok(typeof events[0].data.id === "string", "Begin has a session id");
        const turns = events.filter((e) => e.event === "Turn");
        ok(turns.length > 0, `Turns reached the SDK; ${why}`);
        const text = turns.filter((e) => e.data.end_of_turn && !e.data.turn_is_formatted)
          .map((e) => e.data.transcript).join(" ").toLowerCase();
        for (const word of ["weather", "boston"]) ok(text.includes(word), `"${word}" in "${text}"`);
        if (file.endsWith(".opus")) {
          // Ogg Opus with session_heartbeat: the SDK parsed Heartbeats
          const beats = events.filter((e) => e.event === "Heartbeat");
          ok(beats.length >= 2, `Heartbeats reached the SDK; ${why}`);
        }
        const termination = events.at(-1);
        strictEqual(termination?.event, "Termination", `Termination last; ${why}`);
        ok(Number.isInteger(termination.data.audio_duration_seconds), "Termination's audio duration");
        strictEqual(out.code, 0, `the client exited 0; ${why}`);
      }
    } finally {
      await server.stop();
      await Deno.remove(pki.dir, { recursive: true });
    }
  },
});
