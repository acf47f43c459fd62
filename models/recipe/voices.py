"""The synthetic voices of Debian's TTS engines, and the optional neural ones (neural_voices.py),
split into training and held-out voices.

The held-out voice (an accent and a variant never used in training) measures how the model
does on a speaker it has not heard; the WER gate of the shipped model is measured on it. Of the
neural voices, Kokoro's jf_tebukuro is held out the same way (eval_prep.py's heldout-neural set).
Usage: voices.py OUT_DIR [TEXT]: TEXT (a sentence by default) by every installed neural voice,
training and held out, as OUT_DIR/ENGINE-VOICE.wav at 16 kHz; the missing ones are named.
"""
import os, random, re, subprocess, sys, tempfile
import neural_voices

ESPEAK_ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
ESPEAK_VARIANTS = ["m1", "m2", "m3", "m5", "m7", "f1", "f2", "f3", "f5", "adam", "alicia", "andy", "annie",
                   "aunty", "benjamin", "david", "ed", "edward", "gustave", "iven", "jacky", "john", "linda",
                   "max", "michel", "norbert", "paul", "quincy", "rob", "robert", "steph", "travis", "victor",
                   "zac", "grandma", "grandpa", "klatt", "klatt2", "whisperf", "shelby", "Mike", "Andrea"]
FLITE_VOICES = ["kal16", "awb", "rms", "slt"]
# Neural voices (optional, see neural_voices.py): Piper's one English speaker, and four of Kokoro's
# five (Japanese speakers speaking English), also blended two at a time into in-between speakers.
PIPER_VOICES = ["joe"]
KOKORO_VOICES = ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jm_kumo"]
HELD_OUT_NEURAL = ("kokoro", "jf_tebukuro")  # never spoken in training, not even in a blend
HELD_OUT_ESPEAK = ("en-029", "f4")  # Caribbean English accent with a female variant: both unseen
HELD_OUT_VARIANT = ("en-us", "f4")  # a trained accent with the unseen variant: tells accent from voice
# espeak-ng accents of the other ml-default languages; their held-out voice is each language's
# first accent with the unseen variant f4.
LANGUAGE_ACCENTS = {"es": ["es", "es-419"], "fr": ["fr-fr", "fr-be", "fr-ch"], "de": ["de"], "it": ["it"],
                    "pt": ["pt", "pt-br"]}


def held_out_voice(lang: str) -> tuple[str, str]:
    return HELD_OUT_VARIANT if lang == "en" else (LANGUAGE_ACCENTS[lang][0], "f4")


def espeak(text: str, accent: str, variant: str, rate: int, pitch: int, path: str) -> None:
    subprocess.run(["espeak-ng", "-v", f"{accent}+{variant}", "-s", str(rate), "-p", str(pitch), "-w", path, text],
                   check=True, capture_output=True)


def phonemes_of(text: str, accent: str) -> str:
    """espeak-ng's phoneme mnemonics for text in an accent, one word per space."""
    out = subprocess.run(["espeak-ng", "-v", accent, "-q", "-x", text], check=True, capture_output=True,
                         text=True).stdout
    return " ".join(out.split())


# Sound shifts that tell accents of English apart, in espeak-ng's English mnemonics: KIT said as
# FLEECE, STRUT as LOT, FACE and GOAT as pure vowels, full vowels for schwa, "th" stopped or fronted,
# "h" dropped. The trained espeak-ng accents differ from each other in few of these.
ACCENT_SHIFTS = {
    "I": ["i", "E"], "I2": ["i", "E"], "i:": ["I"], "E": ["e", "a"], "a": ["a:", "E", "A:"],
    "V": ["0", "O:", "a", "@"], "0": ["O:", "A:", "a"], "O:": ["o:", "0"], "3:": ["O:", "E", "@"],
    "eI": ["e:", "E"], "oU": ["o:", "O:"], "@U": ["o:", "O:"], "aI": ["a:", "A:"], "U": ["u:"], "u:": ["U"],
    "@": ["a", "E", "0"], "D": ["d", "v"], "T": ["t", "f"], "h": [""],
}
# One mnemonic: the multi-character ones first, so that "aI" is not read as "a" then "I".
PHONEME = re.compile(r"aI@|aU@|aI|eI|OI|aU|oU|@U|[eIUOoAi]@|3:|[AOuieoaE]:|I2|I#|@2|@L|tS|dZ|.")


def respoken(text: str, accent: str, shift) -> str:
    """espeak-ng phoneme input for text in an accent, each phoneme mnemonic passed through shift."""
    return "[[" + "".join(shift(ph) for ph in PHONEME.findall(phonemes_of(text, accent))) + "]]"


def th_stopped(text: str, accent: str) -> str:
    """espeak-ng phoneme input for text with "th" stopped (D -> d, T -> t: "dis ting"), as many
    accents of English do (Caribbean, Irish, Indian, West African, New York). No trained espeak-ng
    accent does it, so a model trained on them misses words like "the" and "three" from speakers who do."""
    return respoken(text, accent, lambda ph: {"D": "d", "T": "t"}.get(ph, ph))


def accented(text: str, accent: str, rng: random.Random, share=0.25, consistency=0.85) -> str:
    """espeak-ng phoneme input for text in an invented accent: each shift of ACCENT_SHIFTS is taken
    with probability share, and then applied to most (consistency) of the sounds it names. Every
    utterance gets its own accent, so the model learns to expect vowels and consonants to move, not
    one new accent."""
    shifts = {ph: rng.choice(to) for ph, to in ACCENT_SHIFTS.items() if rng.random() < share}
    return respoken(text, accent, lambda ph: shifts[ph] if ph in shifts and rng.random() < consistency else ph)


def flite(text: str, voice: str, path: str) -> None:
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", path], check=True, capture_output=True)


def festival(text: str, voice: str, path: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        subprocess.run(["text2wave", "-eval", f"({voice})", f.name, "-o", path], check=True, capture_output=True)
    finally:
        os.unlink(f.name)


def piper(text: str, voice: str, path: str, length_scale=1.0, noise_scale=0.667, noise_w=0.8) -> None:
    neural_voices.speak({"engine": "piper", "voice": voice, "text": text, "path": path,
                         "length_scale": length_scale, "noise_scale": noise_scale, "noise_w": noise_w})


def kokoro(text: str, voice: dict[str, float], path: str, speed=1.0) -> None:
    """voice: style weights, {"jf_alpha": 1.0} or a blend {"jf_alpha": 0.3, "jm_kumo": 0.7}."""
    neural_voices.speak({"engine": "kokoro", "voice": voice, "text": text, "path": path, "speed": speed})


def usable_engines(engines) -> tuple[str, ...]:
    """engines less the neural ones whose packages are not installed, each named with the reason."""
    if not set(engines) & set(neural_voices.ENGINES):
        return tuple(engines)
    gone = {e: why for e, why in neural_voices.missing().items() if e in engines}
    for engine, why in gone.items():
        print(f"voices: {engine} voices skipped: {why}", file=sys.stderr)
    return tuple(e for e in engines if e not in gone)


# Shares of the utterances; an engine left out (--engines, or not installed) gives its share to the rest.
ENGINE_SHARE = {"espeak": 0.72, "flite": 0.25, "festival": 0.03, "piper": 0.1, "kokoro": 0.1}


def synthesize_training(text: str, rng: random.Random, path: str, engines=tuple(ENGINE_SHARE), lang="en",
                        th_stopping=0.0, accents=0.0) -> str:
    """Speak text with a random training voice of one of engines into path (a WAV file); returns
    the voice's name. Engines are drawn in proportion to ENGINE_SHARE; languages other than
    English are spoken by espeak-ng only (flite and festival speak English). A th_stopping share of
    the English espeak-ng utterances is spoken with "th" stopped (see th_stopped), an accents share
    of the others in an invented accent (see accented)."""
    if lang != "en":
        accent, variant = rng.choice(LANGUAGE_ACCENTS[lang]), rng.choice(ESPEAK_VARIANTS)
        espeak(text, accent, variant, rng.randint(125, 210), rng.randint(25, 75), path)
        return f"espeak:{accent}+{variant}"
    total = sum(ENGINE_SHARE[e] for e in engines)
    r, engine = rng.random() * total, engines[-1]
    for e in engines:
        if r < ENGINE_SHARE[e]:
            engine = e
            break
        r -= ENGINE_SHARE[e]
    if engine == "espeak":
        accent, variant = rng.choice(ESPEAK_ACCENTS), rng.choice(ESPEAK_VARIANTS)
        stopped = th_stopping > 0 and rng.random() < th_stopping
        invented = not stopped and accents > 0 and rng.random() < accents
        said = th_stopped(text, accent) if stopped else accented(text, accent, rng) if invented else text
        espeak(said, accent, variant, rng.randint(125, 210), rng.randint(25, 75), path)
        return f"espeak:{accent}+{variant}" + ("+th-stopped" if stopped else "+accented" if invented else "")
    if engine == "flite":
        voice = rng.choice(FLITE_VOICES)
        flite(text, voice, path)
        return f"flite:{voice}"
    if engine == "piper":
        voice = rng.choice(PIPER_VOICES)
        piper(text, voice, path, rng.uniform(0.85, 1.25), rng.uniform(0.4, 0.9), rng.uniform(0.5, 1.0))
        return f"piper:{voice}"
    if engine == "kokoro":
        if rng.random() < 0.5:
            style = {rng.choice(KOKORO_VOICES): 1.0}
        else:
            a, b = rng.sample(KOKORO_VOICES, 2)
            w = round(rng.uniform(0.2, 0.8), 2)
            style = {a: w, b: round(1 - w, 2)}
        kokoro(text, style, path, rng.uniform(0.85, 1.2))
        return "kokoro:" + "+".join(f"{v}@{w}" if w < 1 else v for v, w in style.items())
    voice = rng.choice(["voice_kal_diphone", "voice_cmu_us_slt_arctic_hts"])
    festival(text, voice, path)
    return f"festival:{voice}"


def synthesize_held_out(text: str, path: str, voice=HELD_OUT_ESPEAK) -> str:
    accent, variant = voice
    espeak(text, accent, variant, 165, 50, path)
    return f"espeak:{accent}+{variant}"


def synthesize_neural(text: str, path: str, voice=HELD_OUT_NEURAL) -> str:
    """text by one neural voice, (engine, name), at its default speed."""
    engine, name = voice
    if engine == "piper":
        piper(text, name, path)
    else:
        kokoro(text, {name: 1.0}, path)
    return f"{engine}:{name}"


def main():
    """Each installed neural voice says one sentence, as a 16 kHz WAV (to listen to, and for the tests)."""
    import time
    import torchaudio
    from features import load_16k
    out, text = sys.argv[1], " ".join(sys.argv[2:]) or "please book a table for two at seven thirty"
    os.makedirs(out, exist_ok=True)
    engines = usable_engines(neural_voices.ENGINES)
    voices = [(e, v) for e, names in (("piper", PIPER_VOICES), ("kokoro", KOKORO_VOICES)) for v in names]
    for voice in [v for v in voices + [HELD_OUT_NEURAL] if v[0] in engines]:
        path = os.path.join(out, "-".join(voice) + ".wav")
        start = time.time()
        synthesize_neural(text, path, voice)
        spent = time.time() - start
        wav = load_16k(path)
        torchaudio.save(path, wav.unsqueeze(0), 16000, encoding="PCM_S", bits_per_sample=16)
        role = "held out" if voice == HELD_OUT_NEURAL else "training"
        print(f"voices: {path}: {wav.numel() / 16000:.2f} s in {spent:.2f} s ({role})")


if __name__ == "__main__":
    main()
