"""Stage 5a: write the evaluation sets as 16 kHz WAV files with a manifest, for `deno task eval`.

Sets: `heldout-voice` (held-out sentences read by the held-out synthetic voice, see voices.py),
`heldout-variant` (the same sentences by the held-out voice variant with a trained accent),
`heldout-neural` (the same sentences by the held-out neural voice, Kokoro's jf_tebukuro, when
neural_voices.py's packages are installed), `ljspeech-heldout` (real LJ Speech clips from
LJ002-0150, never trained on), `fsdd-theo` (the held-out FSDD speaker's digits), `kathleen`
(the "Kathleen" recordings: one real US speaker no training stage has used, the first --limit
distinct CMU ARCTIC prompts). Missing real data is reported and skipped. --real-only writes the
real-recording sets alone (no corpus needed).
A multilingual corpus (corpus_ml.py, "<xx> sentence" lines) gives one set per language instead,
`ml-<xx>`, read by that language's held-out voice (voices.held_out_voice), each row naming its
language for the language identification score.
--dev writes instead one development set, `dev`, for tuning decoding (lm.py's fusion weights): the
held-out sentences after the first --limit (never in an evaluation set) read by two training voices,
so that nothing tuned on it has seen the evaluation sentences or the held-out voices; and
`dev-festival`, the same sentences read by festival's two voices, an engine that en-default's
training stages did not use (`--engines espeak,flite`): a check on unseen voices that is not the gate;
and `dev-words`, turns of one or two words (digits, yes, no, ...: what a voice agent hears as a
whole answer) read by the same four voices, where an LM trained on sentences may prefer nothing.
Usage: eval_prep.py CORPUS_DIR OUT_DIR [--limit N] [--dev]
"""
import argparse, glob, json, os, sys
import torch, torchaudio
from features import load_16k
from synth import DIGITS, HELD_OUT_FSDD_SPEAKER, HELD_OUT_LJ_FROM
from textnorm import normalize
from tokenizer import TAG
from voices import (HELD_OUT_NEURAL, HELD_OUT_VARIANT, festival, held_out_voice, synthesize_held_out,
                    synthesize_neural, usable_engines)

DEV_VOICES = [("en-gb", "m2"), ("en-us-nyc", "f1")]  # training voices
DEV_FESTIVAL_VOICES = ["voice_kal_diphone", "voice_cmu_us_slt_arctic_hts"]
SHORT_TURNS = DIGITS + ["yes", "no", "okay", "sure", "yeah", "nope", "hello", "thanks", "stop", "cancel", "help",
                        "correct", "wrong", "maybe", "goodbye", "next", "repeat that", "not now", "thank you", "sounds good"]


def short_turns(path):
    """Each short turn by the two training voices and festival's two (dev-words)."""
    items = []
    for text in SHORT_TURNS:
        for voice in DEV_VOICES:
            synthesize_held_out(text, path, voice)
            items.append((load_16k(path), text))
        for voice in DEV_FESTIVAL_VOICES:
            festival(text, voice, path)
            items.append((load_16k(path), text))
    return items


def write_set(out_dir, name, items, language=None):
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "manifest.jsonl"), "w") as manifest:
        for i, (wav, text) in enumerate(items):
            path = os.path.join(d, f"{i:04d}.wav")
            torchaudio.save(path, wav.unsqueeze(0), 16000, encoding="PCM_S", bits_per_sample=16)
            row = {"audio": os.path.basename(path), "text": text}
            if language:
                row["language"] = language
            manifest.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"eval_prep: {name}: {len(items)} utterances")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--data", help="real recordings: a folder holding ljspeech/ and fsdd/ (none without it)")
    ap.add_argument("--dev", action="store_true")
    ap.add_argument("--real-only", action="store_true", help="only the sets of real recordings (needs --data)")
    args = ap.parse_args()
    if args.real_only:
        return write_real_sets(args)
    sentences = [l.strip() for l in open(os.path.join(args.corpus, "heldout.txt")) if l.strip()]
    path = f"/tmp/eval_prep_{os.getpid()}.wav"
    if sentences and TAG.match(sentences[0]):
        by_language = {}
        for line in sentences:
            m = TAG.match(line)
            by_language.setdefault(m.group(1)[1:-1], []).append(m.group(2))
        for lang, texts in by_language.items():
            items = []
            for text in texts[: args.limit]:
                synthesize_held_out(text, path, held_out_voice(lang))
                items.append((load_16k(path), text))
            write_set(args.out, f"ml-{lang}", items, lang)
        return
    if args.dev:
        items, festival_items = [], []
        for i, text in enumerate(sentences[args.limit:]):
            synthesize_held_out(text, path, DEV_VOICES[i % len(DEV_VOICES)])
            items.append((load_16k(path), text))
            festival(text, DEV_FESTIVAL_VOICES[i % len(DEV_FESTIVAL_VOICES)], path)
            festival_items.append((load_16k(path), text))
        write_set(args.out, "dev", items)
        write_set(args.out, "dev-festival", festival_items)
        write_set(args.out, "dev-words", short_turns(path))
        return
    sentences = sentences[: args.limit]
    for name, voice in (("heldout-voice", None), ("heldout-variant", HELD_OUT_VARIANT)):
        items = []
        for text in sentences:
            synthesize_held_out(text, path, *([voice] if voice else []))
            items.append((load_16k(path), text))
        write_set(args.out, name, items)
    if usable_engines((HELD_OUT_NEURAL[0],)):
        items = []
        for text in sentences:
            synthesize_neural(text, path)
            items.append((load_16k(path), text))
        write_set(args.out, "heldout-neural", items)

    write_real_sets(args)


def write_real_sets(args):
    if not args.data:
        print("eval_prep: no --data, the sets of real recordings skipped", file=sys.stderr)
        return
    kathleen = os.path.join(args.data, "kathleen", "transcripts.txt")
    if os.path.exists(kathleen):
        # one take of each prompt: the first --limit distinct sentences
        seen, items = set(), []
        for line in open(kathleen, encoding="utf-8"):
            clip, text = line.rstrip("\n").split("|", 1)
            prompt = clip.rsplit("_", 1)[0]
            if prompt in seen or len(items) >= args.limit:
                continue
            seen.add(prompt)
            items.append((load_16k(os.path.join(args.data, "kathleen", clip + ".flac")), normalize(text)))
        write_set(args.out, "kathleen", items)
    else:
        print(f"eval_prep: {kathleen} not found, Kathleen set skipped", file=sys.stderr)
    meta = os.path.join(args.data, "ljspeech", "metadata.csv")
    if os.path.exists(meta):
        rows = [l.rstrip("\n").split("|") for l in open(meta, encoding="utf-8")]
        lj = [(load_16k(os.path.join(args.data, "ljspeech", r[0] + ".flac")), normalize(r[2])) for r in rows if r[0] >= HELD_OUT_LJ_FROM]
        write_set(args.out, "ljspeech-heldout", lj[: args.limit])
    else:
        print(f"eval_prep: {meta} not found, LJ Speech set skipped", file=sys.stderr)
    fsdd = sorted(glob.glob(os.path.join(args.data, "fsdd", f"*_{HELD_OUT_FSDD_SPEAKER}_*.flac")))
    if fsdd:
        write_set(args.out, f"fsdd-{HELD_OUT_FSDD_SPEAKER}", [(load_16k(p), DIGITS[int(os.path.basename(p)[0])]) for p in fsdd])
    else:
        print("eval_prep: FSDD not found, digit set skipped", file=sys.stderr)


if __name__ == "__main__":
    main()
