// The Python example client (Debian's python3-websockets), its messages as the server sent them.
import { ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { named, unmet } from "../tools/requirements.ts";

const ROOT = new URL("../", import.meta.url).pathname;

const NO_WEBSOCKETS = unmet("pythonClient");

Deno.test({
  name: named("python3-websockets client: integer turn_order, word times and durations", NO_WEBSOCKETS),
  ignore: !!NO_WEBSOCKETS,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer();
    try {
      const out = await new Deno.Command("/usr/bin/python3", {
        args: ["examples/python_client.py", "tests/fixtures/numbers.wav", server.wsUrl, "--json"],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      strictEqual(out.success, true, new TextDecoder().decode(out.stderr));
      const messages = stdout.trim().split("\n").map((l) => JSON.parse(l));
      strictEqual(messages[0].type, "Begin");
      const turns = messages.filter((m) => m.type === "Turn");
      ok(turns.length > 0);
      for (const t of turns) {
        ok(Number.isInteger(t.turn_order));
        for (const w of t.words) ok(Number.isInteger(w.start) && Number.isInteger(w.end) && w.end >= w.start);
      }
      const text = turns.filter((t) => t.end_of_turn && !t.turn_is_formatted).map((t) => t.transcript).join(
        " ",
      );
      for (const word of ["phone", "number"]) ok(text.includes(word), `"${word}" in "${text}"`);
      const termination = messages.at(-1);
      strictEqual(termination.type, "Termination");
      ok(
        Number.isInteger(termination.audio_duration_seconds) &&
          Number.isInteger(termination.session_duration_seconds),
      );
    } finally {
      await server.stop();
    }
  },
});
