// Parameters this server accepts, so that clients' sessions start as they do upstream, but does not
// act on: a session that sets one gets a Warning naming it and why, at Begin or at the
// UpdateConfiguration that sets it, never silence.
import { DEFAULT_INTERRUPTION_DELAY_MS } from "./params.ts";

// [U] choice: warning codes are undocumented; 3100 is ours for "accepted, not applied".
export const UNAPPLIED_WARNING_CODE = 3100;

/** The fields of a session's parameters or of an UpdateConfiguration that may be set but are not applied. */
export interface Settable {
  speaker_labels?: boolean;
  max_speakers?: number | null;
  prompt?: string | null;
  agent_context?: string | null;
  filter_profanity?: boolean;
  interruption_delay?: number;
}

const WHY: { [K in keyof Settable]-?: [isSet: (v: NonNullable<Settable[K]>) => boolean, why: string] } = {
  speaker_labels: [(v) => v, "this server has no speaker-embedding model: words carry no speaker"],
  max_speakers: [() => true, "speakers are not labelled (see speaker_labels)"],
  prompt: [(v) => v.length > 0, "this server's models take no prompt"],
  agent_context: [(v) => v.length > 0, "this server's models take no agent context"],
  filter_profanity: [(v) => v, "this server has no profanity filter"],
  interruption_delay: [
    (v) => v !== DEFAULT_INTERRUPTION_DELAY_MS,
    "the early partial comes after 750 ms of speech whatever the delay",
  ],
};

/** "name (why)" for each field that is set and will not be applied. */
export function unappliedParams(fields: Settable): string[] {
  return (Object.keys(WHY) as (keyof Settable)[]).flatMap((name) => {
    const value = fields[name];
    if (value === undefined || value === null) return [];
    const [isSet, why] = WHY[name] as [(v: unknown) => boolean, string];
    return isSet(value) ? [`${name} (${why})`] : [];
  });
}

/** The Warning's text, or undefined when every set field is applied. */
export function unappliedWarning(fields: Settable): string | undefined {
  const names = unappliedParams(fields);
  return names.length ? `accepted but not applied by this server: ${names.join("; ")}` : undefined;
}
