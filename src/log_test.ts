import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { createLogger, type LogLevel, parseLevel } from "./log.ts";

function capture(structured: boolean, level: LogLevel) {
  const lines: string[] = [];
  const logger = createLogger({
    service: "license-sidecar",
    level,
    structured,
    write: (line) => lines.push(line),
    now: () => 0,
  });
  return { logger, lines };
}

Deno.test("logger: structured logging writes one JSON object per line", () => {
  const { logger, lines } = capture(true, "info");
  logger.warn("Usage queue backlog is large", { pending: 1001, error: new Error("down") });
  deepStrictEqual(JSON.parse(lines[0]), {
    time: "1970-01-01T00:00:00.000Z",
    level: "warning",
    msg: "Usage queue backlog is large",
    service: "license-sidecar",
    pending: 1001,
    error: "down",
  });
});

Deno.test("logger: plain logging writes readable lines and honours the level", () => {
  const { logger, lines } = capture(false, "warning");
  logger.info("hidden");
  logger.error("License invalid", { error: "license expired at 2030-01-01", code: 3 });
  strictEqual(lines.length, 1);
  strictEqual(
    lines[0],
    '1970-01-01T00:00:00.000Z ERROR [license-sidecar] License invalid error="license expired at 2030-01-01" code=3',
  );
});

Deno.test("logger: levels from the environment", () => {
  deepStrictEqual(["warn", "WARNING", "debug", "", undefined, "loud"].map(parseLevel), [
    "warning",
    "warning",
    "debug",
    "info",
    "info",
    "info",
  ]);
});

Deno.test("logger: plain logging escapes control characters, so a client cannot forge a line", () => {
  const { logger, lines } = capture(false, "info");
  const forged = "bye\n1970-01-01T00:00:00.000Z ERROR [license-sidecar] forged";
  logger.info(`closing: ${forged}\r\t\u001b[31m\u0000\u007f\u0085\u2028\u2029`, {
    text: forged,
    bare: "a\u001bb",
    nested: { text: "x\u2028y" },
    error: new Error("a\nb"),
  });
  strictEqual(lines.length, 1);
  strictEqual(lines[0].split(/[\n\r\u0085\u2028\u2029]/).length, 1, "exactly one line");
  strictEqual(
    lines[0],
    "1970-01-01T00:00:00.000Z INFO [license-sidecar] closing: " +
      "bye\\n1970-01-01T00:00:00.000Z ERROR [license-sidecar] forged" +
      "\\r\\t\\u001b[31m\\u0000\\u007f\\u0085\\u2028\\u2029" +
      ' text="bye\\n1970-01-01T00:00:00.000Z ERROR [license-sidecar] forged"' +
      ' bare="a\\u001bb" nested={"text":"x\\u2028y"} error="a\\nb"',
  );
});
