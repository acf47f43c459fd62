"""Stage 1b: train the SentencePiece word-piece model on the training text.

Usage: tokenizer.py CORPUS_DIR OUT_DIR [--vocab 256]. Writes OUT_DIR/bpe.model and tokens.txt
(`symbol id` per line, `<blk>` last, as model-interface.md requires).
Lines that start with a language tag (`<es> ...`, from corpus_ml.py) make each tag one piece of
its own; the pieces are learned from the text without the tags.
"""
import argparse, os, re, tempfile
import sentencepiece as spm

TAG = re.compile(r"^(<[a-z]{2}>) (.*)$")  # a tagged corpus line: "<es> hola"
TAG_PIECE = re.compile(r"^<[a-z]{2}>$")     # a language tag among the pieces


def encode_transcript(sp: spm.SentencePieceProcessor, text: str) -> list[int]:
    """Target ids of a transcript: word pieces, then the language tag (when the line starts with one)
    as the last target. At the end of the utterance a streaming model has heard every word before
    it must name the language; at the start it would have to guess from the first syllables."""
    m = TAG.match(text)
    if m and sp.piece_to_id(m.group(1)) != sp.unk_id():
        return sp.encode(m.group(2)) + [sp.piece_to_id(m.group(1))]
    return sp.encode(text)


def write_tokens(sp: spm.SentencePieceProcessor, path: str) -> None:
    with open(path, "w") as f:
        for i in range(sp.get_piece_size()):
            f.write(f"{sp.id_to_piece(i)} {i}\n")
        f.write(f"<blk> {sp.get_piece_size()}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--vocab", type=int, default=256)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tags, lines = set(), []
    for line in open(os.path.join(args.corpus, "train.txt"), encoding="utf-8"):
        m = TAG.match(line.strip())
        if m:
            tags.add(m.group(1))
        lines.append(m.group(2) if m else line.strip())
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as text:
        text.write("\n".join(lines) + "\n")
        text.flush()
        spm.SentencePieceTrainer.train(input=text.name, model_prefix=os.path.join(args.out, "bpe"),
                                       vocab_size=args.vocab, model_type="unigram", character_coverage=1.0,
                                       user_defined_symbols=sorted(tags), unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1,
                                       input_sentence_size=2_000_000)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.out, "bpe.model"))
    write_tokens(sp, os.path.join(args.out, "tokens.txt"))
    print(f"tokenizer: {sp.get_piece_size()} pieces")


if __name__ == "__main__":
    main()
