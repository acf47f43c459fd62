// The example clients (examples/) against the real server: each streams a fixture, prints the
// session's turns and ends with Termination.
import { ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { named, unmet } from "../tools/requirements.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const WAV = "tests/fixtures/weather.wav";

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  strictEqual(
    out.success,
    true,
    `${cmd} ${args.join(" ")}:\n${text}\n${new TextDecoder().decode(out.stderr)}`,
  );
  return text;
}

/** Begin, at least one partial and one final turn, Termination last. */
function assertSession(output: string): void {
  const lines = output.trim().split("\n");
  ok(/^(Begin: session|Session began:) /.test(lines[0]), lines[0]);
  ok(lines.some((l) => l.startsWith("partial [0] ")), output);
  ok(lines.some((l) => l.startsWith("final   [0] ")), output);
  const termination = lines.at(-1)!;
  ok(termination.startsWith("Termination: "), termination);
  const message = JSON.parse(termination.slice("Termination: ".length));
  ok(Number.isInteger(message.audio_duration_seconds) && message.audio_duration_seconds >= 3, termination);
}

const NO_WEBSOCKETS = unmet("pythonClient");

Deno.test({
  name: "examples: stream_file.ts and python_client.py stream a WAV file to the server",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startServer();
    try {
      await t.step("stream_file.ts (on /v3/ws)", async () => {
        assertSession(
          await run(Deno.execPath(), [
            "run",
            "--allow-net",
            "--allow-read",
            "--allow-env",
            "examples/stream_file.ts",
            "--url",
            `${server.wsUrl}/v3/ws`,
            WAV,
          ]),
        );
      });
      await t.step({
        name: named("python_client.py (on /)", NO_WEBSOCKETS),
        ignore: !!NO_WEBSOCKETS,
        fn: async () =>
          assertSession(await run("/usr/bin/python3", ["examples/python_client.py", WAV, server.wsUrl])),
      });
    } finally {
      await server.stop();
    }
  },
});
