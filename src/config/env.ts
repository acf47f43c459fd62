// One way to read configuration: every process declares a zod schema of its environment variables
// and reads it here. Unset and empty variables mean the same (container environments set empty
// ones), booleans are read one way (envBool), and every problem is named at once, at startup.
import { z } from "zod";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** true/false, 1/0, yes/no, on/off in any case; anything else is refused by name. */
export const envBool = z.stringbool();

export type Env = Record<string, string | undefined>;

export function readEnv<T extends z.ZodType>(
  what: string,
  schema: T,
  env: Env = Deno.env.toObject(),
): z.output<T> {
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`);
    throw new ConfigError(`invalid ${what} configuration: ${issues.join("; ")}`);
  }
  return parsed.data;
}
