"""Stage 4c: a word-piece n-gram language model for the server's beam search (shallow fusion).

Counts n-grams of the model's own SentencePiece pieces over the training text (never heldout.txt),
smooths them with interpolated Kneser-Ney, keeps n-grams of order 3 and up only if seen at least
--min-count times, and writes them in backoff form to MODEL_DIR/lm.bin, with an `lm` block in
model.json (file, order, sha256; the fusion weights are set by eval, see --weight/--bonus).
Pieces, not words: the CTC model emits pieces, so each beam extension is scored in one lookup, and
words never seen in the text can still be spelled.

Usage: lm.py CORPUS_DIR LANG_DIR MODEL_DIR [--order 5] [--min-count 2] [--weight 0.5] [--bonus 1.0] [--any-start]

lm.bin (little-endian), read by src/engine/lm.ts:
  "ELM1", uint32 order, uint32 pieces (V; id V stands for the start of a turn), uint32 contexts,
  uint32 entries, uint32 0;
  float64 key[contexts]          the context's pieces, most recent in the lowest digit: sum (id+1) * (V+2)^i
  float32 backoff[contexts]      natural log
  uint32  first[contexts + 1]    the context's entries are first[c] .. first[c+1]-1
  uint16  piece[entries]         ascending within a context
  float32 logprob[entries]       natural log of P(piece | context)
Context 0 is the empty context: every piece has an entry there (a unigram).
"""
import argparse, hashlib, json, math, os, struct
from collections import defaultdict
import sentencepiece as spm
from tokenizer import encode_transcript


def count_ngrams(sentences, order, bos):
    counts = [defaultdict(int) for _ in range(order + 1)]  # counts[k][(h..., w)] for k-grams
    for ids in sentences:
        seq = [bos] + ids
        for i in range(1, len(seq)):
            for k in range(1, order + 1):
                if i - k + 1 < 0:
                    break
                counts[k][tuple(seq[i - k + 1:i + 1])] += 1
    return counts


def adjusted_counts(counts, order, bos):
    """Kneser-Ney: below the top order an n-gram counts the distinct pieces seen before it, except
    n-grams that start a turn (nothing can precede them), which keep their raw counts."""
    adjusted = [None] + [defaultdict(int) for _ in range(order)]
    adjusted[order] = dict(counts[order])
    for k in range(order, 1, -1):
        for gram in counts[k]:
            adjusted[k - 1][gram[1:]] += 1
    for k in range(1, order):
        for gram, c in counts[k].items():
            if gram[0] == bos:
                adjusted[k][gram] = c
    return adjusted


def discounts(adjusted, order):
    out = [0.0]
    for k in range(1, order + 1):
        n1 = sum(1 for c in adjusted[k].values() if c == 1)
        n2 = sum(1 for c in adjusted[k].values() if c == 2)
        out.append(n1 / (n1 + 2 * n2) if n1 + n2 else 0.5)
    out[1] = max(out[1], 0.5)  # unigram mass for pieces never seen (e.g. <unk>): must not be zero
    return out


def interpolated(adjusted, order, vocab, disc):
    """P_k(w | h) for every n-gram seen, interpolated Kneser-Ney."""
    prob = [None] + [dict() for _ in range(order)]
    total1 = sum(adjusted[1].values())
    for w in range(vocab):
        c = adjusted[1].get((w,), 0)
        prob[1][(w,)] = max(c - disc[1], 0) / total1 + disc[1] * len(adjusted[1]) / total1 / vocab
    for k in range(2, order + 1):
        ctx_total, ctx_types = defaultdict(int), defaultdict(int)
        for gram, c in adjusted[k].items():
            ctx_total[gram[:-1]] += c
            ctx_types[gram[:-1]] += 1
        for gram, c in adjusted[k].items():
            h = gram[:-1]
            lower = prob[k - 1].get(gram[1:])
            if lower is None:  # pruned? never: every suffix of a seen n-gram was seen
                raise AssertionError(gram)
            prob[k][gram] = (max(c - disc[k], 0) + disc[k] * ctx_types[h] * lower) / ctx_total[h]
    return prob


def backoff_model(prob, counts, order, min_count):
    """Keeps n-grams (orders >= 3 need min_count raw occurrences) and computes each context's
    backoff weight so that its distribution still sums to one."""
    kept = [None] + [dict() for _ in range(order)]
    kept[1] = dict(prob[1])
    for k in range(2, order + 1):
        for gram, p in prob[k].items():
            if k < 3 or counts[k][gram] >= min_count:
                kept[k][gram] = p
    # Every prefix of a kept n-gram must exist as a context with its own entries in the order below.
    contexts = {(): None}
    for k in range(2, order + 1):
        for gram in kept[k]:
            contexts[gram[:-1]] = None
    backoff = {}

    def lookup(h, w):
        lp = 0.0
        while True:
            p = kept[len(h) + 1].get(h + (w,))
            if p is not None:
                return lp + math.log(p)
            lp += backoff.get(h, 0.0)
            h = h[1:]

    children = defaultdict(list)
    for k in range(2, order + 1):
        for gram, p in kept[k].items():
            children[gram[:-1]].append((gram[-1], p))
    for h in sorted(contexts, key=len):
        if not h:
            backoff[h] = 0.0
            continue
        seen = children.get(h, [])
        mass = sum(p for _, p in seen)
        lower = sum(math.exp(lookup(h[1:], w)) for w, _ in seen)
        backoff[h] = math.log(max(1e-12, 1 - mass) / max(1e-12, 1 - lower))
    children[()] = [(gram[0], p) for gram, p in kept[1].items()]
    return contexts, children, backoff


def context_key(h, base):
    key = 0
    for i, piece in enumerate(reversed(h)):
        key += (piece + 1) * base ** i
    return key


def write_lm(path, order, vocab, contexts, children, backoff):
    base = vocab + 2
    ordered = sorted(contexts, key=lambda h: (len(h), context_key(h, base)))
    first, pieces, logprobs = [0], [], []
    for h in ordered:
        for w, p in sorted(children.get(h, [])):
            pieces.append(w)
            logprobs.append(math.log(p))
        first.append(len(pieces))
    with open(path, "wb") as f:
        f.write(b"ELM1" + struct.pack("<5I", order, vocab, len(ordered), len(pieces), 0))
        f.write(struct.pack(f"<{len(ordered)}d", *(context_key(h, base) for h in ordered)))
        f.write(struct.pack(f"<{len(ordered)}f", *(backoff[h] for h in ordered)))
        f.write(struct.pack(f"<{len(first)}I", *first))
        f.write(struct.pack(f"<{len(pieces)}H", *pieces))
        f.write(struct.pack(f"<{len(logprobs)}f", *logprobs))
    return len(ordered), len(pieces)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("lang")
    ap.add_argument("model_dir")
    ap.add_argument("--order", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--weight", type=float, default=0.5, help="LM log-probability scale in the beam search")
    ap.add_argument("--bonus", type=float, default=1.0, help="score added per emitted piece (offsets the LM cost)")
    ap.add_argument("--any-start", action="store_true",
                    help="the server scores a turn's first words in the empty context, not as a sentence's start")
    args = ap.parse_args()
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.lang, "bpe.model"))
    vocab = sp.get_piece_size()
    sentences = [encode_transcript(sp, line.strip()) for line in open(os.path.join(args.corpus, "train.txt"),
                                                                     encoding="utf-8") if line.strip()]
    counts = count_ngrams(sentences, args.order, vocab)
    adjusted = adjusted_counts(counts, args.order, vocab)
    prob = interpolated(adjusted, args.order, vocab, discounts(adjusted, args.order))
    contexts, children, backoff = backoff_model(prob, counts, args.order, args.min_count)
    path = os.path.join(args.model_dir, "lm.bin")
    n_ctx, n_entries = write_lm(path, args.order, vocab, contexts, children, backoff)
    manifest_path = os.path.join(args.model_dir, "model.json")
    manifest = json.load(open(manifest_path))
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    manifest["files"]["lm.bin"] = sha
    manifest["lm"] = {"file": "lm.bin", "order": args.order, "weight": args.weight, "bonus": args.bonus,
                      "sentence_start": not args.any_start,
                      "trained_on": f"{len(sentences)} sentences of the training text, word pieces, "
                                    f"interpolated Kneser-Ney, n-grams of order >= 3 seen {args.min_count}+ times"}
    json.dump(manifest, open(manifest_path, "w"), indent=2)
    print(f"lm: order {args.order}, {n_ctx} contexts, {n_entries} n-grams, "
          f"{os.path.getsize(path) / 1e6:.1f} MB -> {path}")


if __name__ == "__main__":
    main()
