import { deepStrictEqual, throws } from "node:assert/strict";
import { z } from "zod";
import { ConfigError, envBool, readEnv } from "./env.ts";

const schema = z.object({ PORT: z.coerce.number().int().default(8080), DEBUG: envBool.default(false) });

Deno.test("env: empty means unset, booleans read one way", () => {
  deepStrictEqual(readEnv("test", schema, { PORT: "", DEBUG: "" }), { PORT: 8080, DEBUG: false });
  deepStrictEqual(readEnv("test", schema, { PORT: "9", DEBUG: "YES" }).DEBUG, true);
  deepStrictEqual(readEnv("test", schema, { DEBUG: "off" }).DEBUG, false);
});

Deno.test("env: every problem is named in one ConfigError", () => {
  throws(
    () => readEnv("test", schema, { PORT: "x", DEBUG: "maybe" }),
    (e) => e instanceof ConfigError && /^invalid test configuration: PORT: .*; DEBUG: /.test(e.message),
  );
});
