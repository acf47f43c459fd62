// Word error rate by edit distance over words, on lowercase text without punctuation.

export function normalizeForWer(text: string): string[] {
  return text.normalize("NFC").toLowerCase().replace(/[^\p{L}\p{N}' ]+/gu, " ").split(/\s+/).filter(Boolean);
}

/** Word-level edit distance (substitutions + deletions + insertions). */
export function wordErrors(reference: readonly string[], hypothesis: readonly string[]): number {
  let prev = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const sub = prev[j - 1] + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, prev[j] + 1, cur[j - 1] + 1));
    }
    prev = cur;
  }
  return prev[hypothesis.length];
}

export class WerCounter {
  errors = 0;
  words = 0;
  sentences = 0;
  exactSentences = 0;

  add(reference: string, hypothesis: string): void {
    const ref = normalizeForWer(reference);
    const e = wordErrors(ref, normalizeForWer(hypothesis));
    this.errors += e;
    this.words += ref.length;
    this.sentences++;
    if (e === 0) this.exactSentences++;
  }

  get wer(): number {
    return this.words ? this.errors / this.words : 0;
  }
}
