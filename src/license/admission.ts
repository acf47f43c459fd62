// The one rule that decides whether a gateway may start a session, shared by the in-process and the
// HTTP gate so both refuse for the same reasons with the same words.
import { BillingMode } from "./license.ts";
import { LicenseState } from "./license_state.ts";

export type Admission = { ok: true } | { ok: false; reason: string };

/** The body of GET /v1/license: what a gateway needs to enforce the license. */
export interface LicenseSummary {
  customer: string;
  billing_mode: BillingMode;
  max_concurrent_sessions: number;
  allowed_models: string[];
  expires_at: string;
}

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
export const MAX_CLOSE_REASON_BYTES = 123;
const REFUSAL_PREFIX = "License check failed: ";

export interface AdmissionFacts {
  state: LicenseState;
  /** Why the state is Failed, when known. */
  problem?: string | null;
  license: LicenseSummary | null;
  /** Why there is no license, when known. */
  licenseProblem?: string | null;
  model: string;
}

export function decideAdmission(facts: AdmissionFacts): Admission {
  if (facts.state === "Failed") {
    return refuse(facts.problem ?? facts.licenseProblem ?? "license state is Failed");
  }
  if (!facts.license) return refuse(facts.licenseProblem ?? "no valid license");
  if (!facts.license.allowed_models.includes(facts.model)) {
    return refuse(`model ${JSON.stringify(printable(facts.model))} is not allowed by this license`);
  }
  return { ok: true };
}

export function refuse(problem: string): Admission {
  return { ok: false, reason: closeReason(REFUSAL_PREFIX + problem) };
}

/** Shortens text to fit a WebSocket close frame without splitting a character. */
export function closeReason(text: string, maxBytes = MAX_CLOSE_REASON_BYTES): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  const ellipsis = "...";
  let result = "";
  let bytes = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (bytes + size > maxBytes - ellipsis.length) break;
    result += char;
    bytes += size;
  }
  return result + ellipsis;
}

/** Model names come from clients; keep control characters out of reasons and logs. */
function printable(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, "?").slice(0, 64);
}
