// Logging: structured JSON lines when asked for, plain lines otherwise.
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function parseLevel(value: string | undefined): Level {
  const v = (value ?? "info").toLowerCase();
  return v in ORDER ? v as Level : v === "warning" ? "warn" : "info";
}

export function createLogger(service: string, level: Level, structured: boolean): Logger {
  const write = (l: Level, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] < ORDER[level]) return;
    const line = structured
      ? JSON.stringify({ time: new Date().toISOString(), level: l, service, message, ...fields })
      : `${new Date().toISOString()} ${l.toUpperCase()} [${service}] ${message}${
        fields && Object.keys(fields).length ? " " + JSON.stringify(fields) : ""
      }`;
    (ORDER[l] >= ORDER.warn ? console.error : console.log)(line);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
