// Which sentences an evaluation set holds, as a short hash of its references in manifest order.
// `eval_prep.py` regenerates a set from the corpus; if the corpus came out differently (other
// packages installed, another seed), a WER on the new set is not comparable with the one a model
// recorded, and for a shipped model it may even be measured on sentences it was trained on.

/** The first 16 hex digits of SHA-256 over the references, one per line. */
export async function referencesFingerprint(references: readonly string[]): Promise<string> {
  const bytes = new TextEncoder().encode(references.join("\n"));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A warning when a model recorded this set with other references; undefined when they agree or
 * nothing was recorded to compare with. */
export function fingerprintWarning(
  set: string,
  model: string,
  recorded: string | undefined,
  measured: string,
): string | undefined {
  if (recorded === undefined || recorded === measured) return undefined;
  return `${set}: not the sentences ${model} recorded (references ${measured}, recorded ${recorded}); ` +
    `its WER is not comparable with model.json's`;
}
