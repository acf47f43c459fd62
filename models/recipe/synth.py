"""Stage 2: synthesize and augment training speech, compute features, write shards.

Each shard is a torch file holding a list of (features float16 [T, 80], text, source).
Real recordings from --data are mixed in (repeated with fresh augmentation), except the
held-out ones (LJ Speech from LJ002-0150, FSDD speaker `theo`), which only the eval stage reads.
Usage: synth.py CORPUS_DIR OUT_DIR [--workers 2] [--shard-size 2000] [--limit N] [--seed N]
                [--repeats N] [--engines espeak,flite,festival,piper,kokoro] [--librispeech DIR [--librispeech-language xx]]
Resumable: shards already written are skipped. --repeats speaks each sentence N times, each time
with another voice and augmentation (for a GPU that eats data faster than one pass gives).
The neural engines (piper, kokoro: neural_voices.py) take part only when their packages are
installed; otherwise synth.py says so and goes on with the others.
"""
import argparse, glob, os, random, sys, tempfile

os.environ.setdefault("OMP_NUM_THREADS", "1")
from multiprocessing import Pool
import torch
from augment import augment
from features import fbank, load_16k
from textnorm import normalize
from tokenizer import TAG
from voices import synthesize_training, usable_engines

DIGITS = "zero one two three four five six seven eight nine".split()
HELD_OUT_FSDD_SPEAKER = "theo"
HELD_OUT_LJ_FROM = "LJ002-0150"


def real_items(data_dir: str | None) -> list[tuple[str, str]]:
    if not data_dir:
        print("synth: no --data, real recordings skipped", file=sys.stderr)
        return []
    items = []
    meta = os.path.join(data_dir, "ljspeech", "metadata.csv")
    if os.path.exists(meta):
        for line in open(meta, encoding="utf-8"):
            clip, _, text = line.rstrip("\n").split("|")[:3]
            if clip < HELD_OUT_LJ_FROM:
                items.append((os.path.join(data_dir, "ljspeech", clip + ".flac"), normalize(text)))
    else:
        print(f"synth: {meta} not found, LJ Speech skipped", file=sys.stderr)
    for path in sorted(glob.glob(os.path.join(data_dir, "fsdd", "*.flac"))):
        digit, speaker, _ = os.path.basename(path)[:-5].split("_")
        if speaker != HELD_OUT_FSDD_SPEAKER:
            items.append((path, DIGITS[int(digit)]))
    if not items:
        print(f"synth: no real recordings under {data_dir}", file=sys.stderr)
    return items


def librispeech_items(root: str) -> list[tuple[str, str]]:
    """A LibriSpeech-style directory: SPEAKER/CHAPTER/SPEAKER-CHAPTER.trans.txt with lines
    "UTTERANCE-ID TRANSCRIPT", beside UTTERANCE-ID.flac (or .wav)."""
    items = []
    for trans in sorted(glob.glob(os.path.join(root, "**", "*.trans.txt"), recursive=True)):
        folder = os.path.dirname(trans)
        for line in open(trans, encoding="utf-8"):
            utt, _, text = line.strip().partition(" ")
            audio = next((p for p in (os.path.join(folder, utt + ext) for ext in (".flac", ".wav")) if os.path.exists(p)), None)
            if audio and text:
                items.append((audio, normalize(text)))
    if not items:
        print(f"synth: no LibriSpeech-style transcripts under {root}", file=sys.stderr)
    return items


def pad_silence(wav: torch.Tensor, rng: random.Random) -> torch.Tensor:
    before, after = int(16000 * rng.uniform(0.05, 0.6)), int(16000 * rng.uniform(0.05, 0.6))
    return torch.cat([torch.zeros(before), wav, torch.zeros(after)])


def after_lead(sentence: str, sentences: list[str], rng: random.Random) -> str:
    """The sentence preceded by another short one of the same language. Templated sentences always
    open an utterance otherwise, and a streaming model learns to recognise a template from the onset
    of speech and emit its words (and a guess at its slots) before it hears them; led by other
    words, it has to listen."""
    tagged = TAG.match(sentence)
    for _ in range(20):
        lead = rng.choice(sentences)
        lead_tag = TAG.match(lead)
        if (lead_tag.group(1) if lead_tag else None) == (tagged.group(1) if tagged else None) and len(lead.split()) <= 9:
            break
    else:
        return sentence
    lead_words = lead_tag.group(2) if lead_tag else lead
    return f"{tagged.group(1)} {lead_words} {tagged.group(2)}" if tagged else f"{lead_words} {sentence}"


def prefix_of(sentence: str, rng: random.Random) -> str:
    """The sentence cut after a random word (its language tag kept). A streaming model can learn to
    emit the words a familiar opening predicts before it hears them ("please transfer" came out as
    "hundred dollars to"); when an utterance may stop after any word, emitting a word it has not
    heard costs it."""
    tagged = TAG.match(sentence)
    words = (tagged.group(2) if tagged else sentence).split()
    if len(words) < 2:
        return sentence
    cut = " ".join(words[: rng.randint(1, len(words) - 1)])
    return f"{tagged.group(1)} {cut}" if tagged else cut


def make_item(job):
    seed, kind, payload, engines, th_stopping, accents = job
    rng = random.Random(seed)
    if kind == "tts":
        tagged = TAG.match(payload)  # "<es> ..." from corpus_ml.py: speak the words in that language
        lang, words = (tagged.group(1)[1:-1], tagged.group(2)) if tagged else ("en", payload)
        with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
            try:
                source = synthesize_training(words, rng, tmp.name, engines, lang, th_stopping, accents)
                wav = load_16k(tmp.name)
            except Exception as e:  # a TTS engine refusing a sentence is not fatal
                return None
        text = payload
    else:
        path, text = payload
        wav, source = load_16k(path), "real:" + os.path.basename(path)
    if wav.numel() < 1600:
        return None
    wav = augment(pad_silence(wav, rng), rng)
    return fbank(wav).half(), text, source


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--shard-size", type=int, default=2000)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--real-repeats", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--engines", default="espeak,flite,festival,piper,kokoro",
                    help="TTS engines; piper and kokoro are skipped (with a message) when not installed")
    ap.add_argument("--librispeech", default="", help="a LibriSpeech-style corpus directory to mix in")
    ap.add_argument("--librispeech-language", default="en",
                    help="the language its transcripts are tagged with when the corpus is tagged (corpus_ml.py)")
    ap.add_argument("--concat", type=float, default=0.0,
                    help="fraction of sentences spoken after another short sentence, as one utterance")
    ap.add_argument("--prefixes", type=float, default=0.0,
                    help="fraction of sentences cut after a random word (before --concat leads them)")
    ap.add_argument("--th-stopping", type=float, default=0.0,
                    help="share of English espeak-ng utterances spoken with 'th' stopped (an accent augmentation)")
    ap.add_argument("--accents", type=float, default=0.0,
                    help="share of the other English espeak-ng utterances spoken in an invented accent")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", help="real recordings: a folder holding ljspeech/ and fsdd/ (none without it)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rng = random.Random(args.seed)
    sentences = [l.strip() for l in open(os.path.join(args.corpus, "train.txt")) if l.strip()]
    texts = [s for s in sentences for _ in range(args.repeats)]
    if args.prefixes:
        texts = [prefix_of(t, rng) if rng.random() < args.prefixes else t for t in texts]
    if args.concat:
        texts = [after_lead(t, sentences, rng) if rng.random() < args.concat else t for t in texts]
    jobs = [("tts", t) for t in texts]
    # A tagged corpus (corpus_ml.py) tags the real recordings too: they are English.
    tag = "<en> " if sentences and TAG.match(sentences[0]) else ""
    jobs += [("real", (path, tag + text)) for path, text in real_items(args.data) for _ in range(args.real_repeats)]
    if args.librispeech:
        # A tagged corpus needs every target tagged: an untagged utterance would teach the model to
        # end without naming a language.
        ls_tag = f"<{args.librispeech_language}> " if tag else ""
        jobs += [("real", (path, ls_tag + text)) for path, text in librispeech_items(args.librispeech)]
    rng.shuffle(jobs)
    if args.limit:
        jobs = jobs[: args.limit]
    engines = usable_engines(tuple(args.engines.split(",")))
    if not engines and any(kind == "tts" for kind, _ in jobs):
        sys.exit("synth: none of the engines asked for can run")
    jobs = [(args.seed * 1_000_003 + i, kind, payload, engines, args.th_stopping, args.accents)
            for i, (kind, payload) in enumerate(jobs)]
    os.makedirs(args.out, exist_ok=True)
    with Pool(args.workers) as pool:
        for start in range(0, len(jobs), args.shard_size):
            path = os.path.join(args.out, f"shard-{start // args.shard_size:04d}.pt")
            if os.path.exists(path):
                continue
            items = [x for x in pool.map(make_item, jobs[start:start + args.shard_size], chunksize=16) if x]
            torch.save(items, path + ".tmp")
            os.replace(path + ".tmp", path)
            hours = sum(x[0].shape[0] for x in items) / 360000
            voicings = {k: sum(x[2].endswith("+" + k) for x in items) for k in ("accented", "th-stopped")}
            voicings |= {k: sum(x[2].startswith(k + ":") for x in items) for k in ("piper", "kokoro")}
            said = "".join(f", {n} {k}" for k, n in voicings.items() if n)
            print(f"synth: {path}: {len(items)} utterances, {hours:.2f} h{said}", flush=True)


if __name__ == "__main__":
    main()
