"""Stage 4d: the word list the server's beam search prefers words from (src/engine/lexicon.ts).

Every word of the training text (never heldout.txt) plus a general English word list (Debian's
`wamerican`, /usr/share/dict/american-english: 100k words with names), folded to the model's
spoken form: lowercase, accents stripped, only letters and apostrophes. A word outside the list
is still possible, at --penalty (log units, once per word); the penalty is set by eval on the
development sets, like the LM weights.

For a multilingual model (ml-default: `<xx>` language tags in the text, accented pieces) pass
--keep-accents --elisions fr,it --no-dict: words keep their accents (lowercase letters of any alphabet),
and in French and Italian lines an elided pair ("l'interno", "qu'il") adds its two parts ("l'", "interno"), which the server
also accepts joined in any pair (src/engine/word_scorer.ts). No dictionary: Debian's six hold
1.6M words without frequencies, too many for the manifest's size and a worker's memory.

Usage: lexicon.py CORPUS_DIR MODEL_DIR [--dict FILE ...] [--no-dict] [--keep-accents] [--elisions fr,it] [--penalty 2.0]
Writes MODEL_DIR/words.txt (one word per line, sorted) and a `lexicon` block in model.json.
"""
import argparse, hashlib, json, os, re, unicodedata

DEFAULT_DICT = "/usr/share/dict/american-english"
WORD = re.compile(r"^[a-z']+$")
ELIDED = re.compile(r"^([^\W\d_]+')([^\W\d_]+)$")  # "l'interno" -> "l'", "interno"
TAG = re.compile(r"^<[a-z]+>$")


def fold(word, keep_accents=False):
    """The spoken form's spelling: lowercase, accents stripped (or kept); None if anything else is left."""
    if keep_accents:
        plain = unicodedata.normalize("NFC", word.lower())
        ok = all(c == "'" or (c.isalpha() and c.islower()) for c in plain)
        return plain if ok and plain.strip("'") else None
    plain = unicodedata.normalize("NFD", word.lower())
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    return plain if WORD.match(plain) and plain.strip("'") else None


def collect(lines, keep_accents=False, elisions=()):
    """The words of the lines; in lines tagged with a language in `elisions`, elided pairs' parts too."""
    words = set()
    for line in lines:
        tokens = line.split()
        elide = bool(tokens) and tokens[0].strip("<>") in elisions and TAG.match(tokens[0])
        for token in tokens:
            word = None if TAG.match(token) else fold(token, keep_accents)
            if word:
                words.add(word)
                elided = ELIDED.match(word) if elide else None
                if elided:
                    words.update(elided.groups())
    return words


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("model_dir")
    ap.add_argument("--dict", action="append", help=f"word list(s), one word per line (default {DEFAULT_DICT})")
    ap.add_argument("--no-dict", action="store_true", help="the training text's words only")
    ap.add_argument("--keep-accents", action="store_true", help="keep accented letters (a model whose pieces have them)")
    ap.add_argument("--elisions", default="", help="languages whose elided pairs' parts are listed too (fr,it)")
    ap.add_argument("--penalty", type=float, default=2.0, help="log units charged per word outside the list")
    args = ap.parse_args()
    dicts = [] if args.no_dict else args.dict if args.dict is not None else [DEFAULT_DICT]
    text_words = collect(open(os.path.join(args.corpus, "train.txt"), encoding="utf-8"), args.keep_accents,
                         set(filter(None, args.elisions.split(","))))
    words = set(text_words)
    for path in dicts:
        if not os.path.exists(path):
            raise SystemExit(f"lexicon: {path} is missing (apt-get install wamerican, or --dict FILE)")
        words |= collect(open(path, encoding="utf-8"), args.keep_accents)
    path = os.path.join(args.model_dir, "words.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(w + "\n" for w in sorted(words)))
    manifest_path = os.path.join(args.model_dir, "model.json")
    manifest = json.load(open(manifest_path))
    manifest["files"]["words.txt"] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    manifest["lexicon"] = {
        "file": "words.txt", "penalty": args.penalty, "words": len(words),
        "built_from": " + ".join([f"{len(text_words)} words of the training text"] + [os.path.basename(d) for d in dicts]),
    }
    json.dump(manifest, open(manifest_path, "w"), indent=2)
    print(f"lexicon: {len(words)} words ({len(text_words)} from the training text), "
          f"{os.path.getsize(path) / 1e6:.1f} MB -> {path}")


if __name__ == "__main__":
    main()
