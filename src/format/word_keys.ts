// Comparison forms of a word. Rules match on these so that stray casing or punctuation from the
// model ("A.M.", "I’m") never changes which rule fires; the original text is what gets printed.

/** Lowercase, curly apostrophes straightened, everything but letters, digits and `'` removed. */
export function wordKey(text: string): string {
  return text.toLowerCase().replace(/\u2019/g, "'").replace(/[^\p{L}\p{N}']/gu, "");
}

/** Lowercase letters and digits only: "AssemblyAI", "assembly ai" and "Assembly-AI" all agree. */
export function compactForm(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
}
