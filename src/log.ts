// The one logger of the gateway, the ASR service and the license sidecar: one JSON object per line
// when structured logging is on (for log collectors), readable plain lines otherwise.

export const LOG_LEVELS = ["debug", "info", "warning", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** who logs: "earshot", "asr", "license-sidecar" */
  service: string;
  level: LogLevel;
  structured: boolean;
  /** Where finished lines go; stdout/stderr by default, a list in tests. */
  write?: (line: string, level: LogLevel) => void;
  now?: () => number;
}

/** A level from the environment ("warn" is taken for "warning"); info when unset or unknown. */
export function parseLevel(value: string | undefined): LogLevel {
  const v = (value ?? "").toLowerCase();
  return v === "warn" ? "warning" : (LOG_LEVELS as readonly string[]).includes(v) ? v as LogLevel : "info";
}

function writeToConsole(line: string, level: LogLevel): void {
  if (level === "error" || level === "warning") console.error(line);
  else console.log(line);
}

// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: clients' text
// reaches messages and fields, and a raw newline in it would forge a log line of its own.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Writes control characters as escapes (\n, \u001b), so that one plain log entry is one line. */
function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function formatPlainValue(value: unknown): string {
  if (typeof value === "string") {
    return /\s/.test(value) || escapeControls(value) !== value ? JSON.stringify(value) : value;
  }
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? writeToConsole;
  const now = options.now ?? Date.now;
  const threshold = LOG_LEVELS.indexOf(options.level);

  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const time = new Date(now()).toISOString();
    const present = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (options.structured) {
      const normalized = Object.fromEntries(present.map(([k, v]) => [k, v instanceof Error ? v.message : v]));
      write(JSON.stringify({ time, level, msg: message, service: options.service, ...normalized }), level);
    } else {
      // JSON.stringify leaves DEL, C1 and U+2028/2029 as they are: values are escaped after it too
      const extras = present.map(([k, v]) => ` ${k}=${escapeControls(formatPlainValue(v))}`).join("");
      write(`${time} ${level.toUpperCase()} [${options.service}] ${escapeControls(message)}${extras}`, level);
    }
  };

  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warning", message, fields),
    error: (message, fields) => emit("error", message, fields),
  };
}

/** A logger that drops everything, for embedders that do not care. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
