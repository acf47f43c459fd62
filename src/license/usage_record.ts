// The usage record a gateway reports after each session. Its id is the idempotency key all the way
// to the usage server, which counts each id once however many times it is delivered.
import { z } from "zod";

/** "is required" for a missing field, "must be ..." for a wrong one. */
const expect = (what: string) => ({
  error: (issue: { input?: unknown }) => issue.input === undefined ? "is required" : `must be ${what}`,
});
const timestamp = () =>
  z.iso.datetime({ offset: true, ...expect("an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z") });

export const usageRecordSchema = z.object({
  id: z.string(expect("a string")).min(1, "must not be empty").max(200, "must be at most 200 characters"),
  model: z.string(expect("a string")).min(1, "must not be empty").max(64, "must be at most 64 characters"),
  audio_seconds: z.number(expect("a number of seconds")).finite().nonnegative("must not be negative"),
  started_at: timestamp(),
  ended_at: timestamp(),
}, expect("a JSON object")).refine((r) => Date.parse(r.ended_at) >= Date.parse(r.started_at), {
  message: "must not be before started_at",
  path: ["ended_at"],
});

export type UsageRecord = z.infer<typeof usageRecordSchema>;

export type UsageRecordParse = { ok: true; record: UsageRecord } | { ok: false; error: string };

/** Validates untrusted input and explains every problem in one line. */
export function parseUsageRecord(input: unknown): UsageRecordParse {
  const parsed = usageRecordSchema.safeParse(input);
  if (parsed.success) return { ok: true, record: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
  return { ok: false, error: `invalid usage record: ${problems.join("; ")}` };
}
