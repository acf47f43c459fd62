"""Stage 1b: train the SentencePiece word-piece model on the training text.

Usage: tokenizer.py CORPUS_DIR OUT_DIR [--vocab 256]. Writes OUT_DIR/bpe.model and tokens.txt
(`symbol id` per line, `<blk>` last, as model-interface.md requires).
"""
import argparse, os
import sentencepiece as spm


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
    spm.SentencePieceTrainer.train(input=os.path.join(args.corpus, "train.txt"), model_prefix=os.path.join(args.out, "bpe"),
                                   vocab_size=args.vocab, model_type="unigram", character_coverage=1.0,
                                   unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, input_sentence_size=2_000_000)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.out, "bpe.model"))
    write_tokens(sp, os.path.join(args.out, "tokens.txt"))
    print(f"tokenizer: {sp.get_piece_size()} pieces")


if __name__ == "__main__":
    main()
