// Remembers the time of the last successful check-in on disk, so a sidecar restarted during a
// license-server outage keeps the trust window it had instead of failing at once.
import { writeFileDurably } from "./durable_file.ts";

export const CHECKIN_RECORD_FILE = "last_successful_checkin.json";

export async function readLastSuccessfulCheckin(dir: string): Promise<number | null> {
  try {
    const parsed: unknown = JSON.parse(await Deno.readTextFile(`${dir}/${CHECKIN_RECORD_FILE}`));
    const ms = typeof parsed === "object" && parsed !== null
      ? (parsed as { at_ms?: unknown }).at_ms
      : undefined;
    return typeof ms === "number" && Number.isFinite(ms) ? ms : null;
  } catch {
    // Missing or unreadable: behave like a first start.
    return null;
  }
}

export async function writeLastSuccessfulCheckin(dir: string, atMs: number): Promise<void> {
  const body = JSON.stringify({ at_ms: atMs, at: new Date(atMs).toISOString() });
  await writeFileDurably(dir, CHECKIN_RECORD_FILE, new TextEncoder().encode(body));
}
