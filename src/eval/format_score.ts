// Scores formatted turns against written references, word by word: casing (lower, Capitalized,
// UPPER) and the mark after each word (none, ",", ".", "?"). Output words that merge several
// spoken words (inverse text normalisation: "twenty three" -> "23") are left unscored.

export type CaseClass = 0 | 1 | 2;
export type MarkClass = 0 | 1 | 2 | 3;
/** A reference word: its spoken form, its written casing and the mark after it. */
export type ReferenceWord = [key: string, casing: CaseClass, mark: MarkClass];

export function caseOf(text: string): CaseClass {
  const letters = text.replace(/[^\p{L}]/gu, "");
  if (!letters || letters[0] === letters[0].toLowerCase()) return 0;
  return letters.length > 1 && letters === letters.toUpperCase() ? 2 : 1;
}

export function markOf(text: string): MarkClass {
  const trailing = text.match(/[^\p{L}\p{N}']*$/u)?.[0] ?? "";
  if (trailing.includes("?")) return 3;
  if (/[.!]/.test(trailing)) return 2;
  return /[,;:]/.test(trailing) ? 1 : 0;
}

class PrecisionRecall {
  truePositives = 0;
  predicted = 0;
  actual = 0;
  add(predicted: boolean, actual: boolean, right: boolean): void {
    if (predicted) this.predicted++;
    if (actual) this.actual++;
    if (predicted && actual && right) this.truePositives++;
  }
  get f1(): number {
    return this.predicted + this.actual ? 2 * this.truePositives / (this.predicted + this.actual) : 1;
  }
  get precision(): number {
    return this.predicted ? this.truePositives / this.predicted : 1;
  }
  get recall(): number {
    return this.actual ? this.truePositives / this.actual : 1;
  }
}

export class FormatScore {
  words = 0;
  unscored = 0;
  casingRight = 0;
  casingScored = 0;
  readonly cased = new PrecisionRecall();
  readonly commas = new PrecisionRecall();
  readonly sentenceEnds = new PrecisionRecall();
  terminalRight = 0;
  turns = 0;

  /** `output[j]` covers reference words `spans[j][0]` up to (not including) `spans[j][1]`. */
  add(
    reference: readonly ReferenceWord[],
    output: readonly string[],
    spans: readonly [number, number][],
  ): void {
    this.turns++;
    this.words += reference.length;
    output.forEach((text, j) => {
      const [from, to] = spans[j];
      if (to - from !== 1) return void (this.unscored += to - from);
      const [, refCase, refMark] = reference[from];
      const [hypCase, hypMark] = [caseOf(text), markOf(text)];
      if (from > 0) {
        this.casingScored++;
        if (hypCase === refCase) this.casingRight++;
        this.cased.add(hypCase !== 0, refCase !== 0, hypCase === refCase);
      }
      if (from === reference.length - 1) {
        if (hypMark === refMark) this.terminalRight++;
        return;
      }
      this.commas.add(hypMark === 1, refMark === 1, true);
      this.sentenceEnds.add(hypMark >= 2, refMark >= 2, hypMark === refMark);
    });
  }

  summary(): string {
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const prf = (p: PrecisionRecall) => `P ${pct(p.precision)} R ${pct(p.recall)} F1 ${pct(p.f1)}`;
    return [
      `casing accuracy ${pct(this.casingRight / Math.max(1, this.casingScored))} (first words excepted)`,
      `capitals ${prf(this.cased)}`,
      `commas ${prf(this.commas)}`,
      `sentence ends inside turns ${prf(this.sentenceEnds)}`,
      `last mark right ${pct(this.terminalRight / Math.max(1, this.turns))}`,
    ].join("; ");
  }
}
