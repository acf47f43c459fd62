"""Quick WER of a checkpoint on eval_prep.py's sets, in PyTorch (no server): greedy CTC over the
whole utterance, which the chunked masks make equal to streaming. For picking checkpoints; the
numbers in model.json come from `deno task eval` through the server. Sets whose rows name a
`language` (eval_prep.py on a multilingual corpus) also get language identification accuracy,
decided as the server does: the language tag with the most probability mass over the utterance.
Usage: score.py CKPT LANG_DIR EVAL_DIR [--limit N]
"""
import argparse, json, os
import torch
import sentencepiece as spm
from features import fbank, load_16k
from model import Config, StreamingConformer
from tokenizer import TAG_PIECE


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("lang")
    ap.add_argument("eval")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(2)
    ckpt = torch.load(args.ckpt, map_location="cpu")
    model = StreamingConformer(Config(**ckpt["config"]))
    model.load_state_dict(ckpt["model"])
    model.eval()
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.lang, "bpe.model"))
    blank, chunk = model.cfg.vocab_size, model.cfg.chunk
    tags = {i: sp.id_to_piece(i)[1:-1] for i in range(sp.get_piece_size()) if TAG_PIECE.match(sp.id_to_piece(i))}
    for name in sorted(os.listdir(args.eval)):
        manifest = os.path.join(args.eval, name, "manifest.jsonl")
        if not os.path.exists(manifest):
            continue
        rows = [json.loads(l) for l in open(manifest)]
        rows = rows[: args.limit] if args.limit else rows
        errors = words = identified = 0
        for row in rows:
            feats = fbank(load_16k(os.path.join(args.eval, name, row["audio"])))
            t = feats.shape[0]
            padded = torch.zeros(1, -(-t // chunk) * chunk, feats.shape[1])
            padded[0, :t] = feats  # zero padding, as in training batches
            with torch.no_grad():
                logp = model(padded)[0, : -(-t // 4)]
            ids = logp.argmax(-1).tolist()
            out = [t for i, t in enumerate(ids) if t != blank and t not in tags and (i == 0 or t != ids[i - 1])]
            if tags and "language" in row:
                evidence = {code: torch.logsumexp(logp[:, i], 0).item() for i, code in tags.items()}
                identified += max(evidence, key=evidence.get) == row["language"]
            hyp, ref = sp.decode(out).split(), row["text"].split()
            errors += edit_distance(ref, hyp)
            words += len(ref)
        lid = f", language identified {100 * identified / len(rows):.0f}%" if tags and "language" in rows[0] else ""
        print(f"score: {name}: WER {100 * errors / max(1, words):.1f}% ({errors}/{words} words, {len(rows)} utterances){lid}",
              flush=True)


if __name__ == "__main__":
    main()
