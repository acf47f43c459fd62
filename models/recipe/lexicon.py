"""Stage 4d: the word list the server's beam search prefers words from (src/engine/lexicon.ts).

Every word of the training text (never heldout.txt) plus a general English word list (Debian's
`wamerican`, /usr/share/dict/american-english: 100k words with names), folded to the model's
spoken form: lowercase, accents stripped, only letters and apostrophes. A word outside the list
is still possible, at --penalty (log units, once per word); the penalty is set by eval on the
development sets, like the LM weights.

Usage: lexicon.py CORPUS_DIR MODEL_DIR [--dict FILE ...] [--penalty 2.0]
Writes MODEL_DIR/words.txt (one word per line, sorted) and a `lexicon` block in model.json.
"""
import argparse, hashlib, json, os, re, unicodedata

DEFAULT_DICT = "/usr/share/dict/american-english"
WORD = re.compile(r"^[a-z']+$")


def fold(word):
    """The spoken form's spelling: lowercase, accents stripped; None if anything else is left."""
    plain = unicodedata.normalize("NFD", word.lower())
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    return plain if WORD.match(plain) and plain.strip("'") else None


def collect(lines):
    words = set()
    for line in lines:
        for token in line.split():
            word = fold(token)
            if word:
                words.add(word)
    return words


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("model_dir")
    ap.add_argument("--dict", action="append", help=f"word list(s), one word per line (default {DEFAULT_DICT})")
    ap.add_argument("--penalty", type=float, default=2.0, help="log units charged per word outside the list")
    args = ap.parse_args()
    dicts = args.dict if args.dict is not None else [DEFAULT_DICT]
    text_words = collect(open(os.path.join(args.corpus, "train.txt"), encoding="utf-8"))
    words = set(text_words)
    for path in dicts:
        if not os.path.exists(path):
            raise SystemExit(f"lexicon: {path} is missing (apt-get install wamerican, or --dict FILE)")
        words |= collect(open(path, encoding="utf-8"))
    path = os.path.join(args.model_dir, "words.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(w + "\n" for w in sorted(words)))
    manifest_path = os.path.join(args.model_dir, "model.json")
    manifest = json.load(open(manifest_path))
    manifest["files"]["words.txt"] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    manifest["lexicon"] = {
        "file": "words.txt", "penalty": args.penalty, "words": len(words),
        "built_from": f"{len(text_words)} words of the training text + " + ", ".join(os.path.basename(d) for d in dicts),
    }
    json.dump(manifest, open(manifest_path, "w"), indent=2)
    print(f"lexicon: {len(words)} words ({len(text_words)} from the training text), "
          f"{os.path.getsize(path) / 1e6:.1f} MB -> {path}")


if __name__ == "__main__":
    main()
