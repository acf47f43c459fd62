// The token table (tokens.txt: `symbol id` per line, blank last, or first for icefall models) and word assembly from pieces.

export interface TokenTable {
  symbols: string[];
  blank: number;
}

/** `blankAt`: where the family puts `<blk>`: last (NeMo, Earshot) or first (icefall, id 0). */
export function parseTokens(text: string, blankAt: "last" | "first" = "last"): TokenTable {
  const symbols: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const cut = line.lastIndexOf(" ");
    const id = Number(line.slice(cut + 1));
    if (cut <= 0 || !Number.isInteger(id)) throw new Error(`tokens.txt: bad line "${line}"`);
    symbols[id] = line.slice(0, cut);
  }
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === undefined) throw new Error(`tokens.txt: id ${i} missing`);
  }
  const blank = blankAt === "first" ? 0 : symbols.length - 1;
  if (symbols[blank] !== "<blk>") {
    throw new Error(`tokens.txt: the ${blankAt === "first" ? "first" : "last"} id (${blank}) must be <blk>`);
  }
  return { symbols, blank };
}

/** A decoded token: its id, the output frame where it starts and ends, and its probability. */
export interface Token {
  id: number;
  frame: number;
  lastFrame: number;
  prob: number;
}

export interface DecodedWord {
  text: string;
  startMs: number;
  endMs: number;
  confidence: number;
}

export const WORD_START = "\u2581";

/** `<unk>`, `<blk>`, language tags: pieces that are not letters of a word. */
export function isSpecialPiece(symbol: string): boolean {
  return symbol.length > 2 && symbol.startsWith("<") && symbol.endsWith(">");
}

/** Joins word pieces into words; a piece starting with ▁ opens a new word; <...> specials are skipped. */
export function tokensToWords(tokens: readonly Token[], table: TokenTable, frameMs: number): DecodedWord[] {
  const words: DecodedWord[] = [];
  let text = "";
  let first: Token | undefined;
  let last: Token | undefined;
  let probSum = 0;
  let count = 0;
  const flush = () => {
    if (first && last && text) {
      words.push({
        text,
        startMs: first.frame * frameMs,
        endMs: (last.lastFrame + 1) * frameMs,
        confidence: probSum / count,
      });
    }
    text = "";
    first = undefined;
    probSum = 0;
    count = 0;
  };
  for (const token of tokens) {
    const piece = table.symbols[token.id];
    if (isSpecialPiece(piece)) continue;
    if (piece.startsWith(WORD_START)) flush();
    text += piece.startsWith(WORD_START) ? piece.slice(1) : piece;
    first ??= token;
    last = token;
    probSum += token.prob;
    count++;
  }
  flush();
  return words;
}
