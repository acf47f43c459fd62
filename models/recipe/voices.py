"""The synthetic voices of Debian's TTS engines, split into training and held-out voices.

The held-out voice (an accent and a variant never used in training) measures how the model
does on a speaker it has not heard; the WER gate of the shipped model is measured on it.
"""
import os, random, subprocess, tempfile

ESPEAK_ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
ESPEAK_VARIANTS = ["m1", "m2", "m3", "m5", "m7", "f1", "f2", "f3", "f5", "adam", "alicia", "andy", "annie",
                   "aunty", "benjamin", "david", "ed", "edward", "gustave", "iven", "jacky", "john", "linda",
                   "max", "michel", "norbert", "paul", "quincy", "rob", "robert", "steph", "travis", "victor",
                   "zac", "grandma", "grandpa", "klatt", "klatt2", "whisperf", "shelby", "Mike", "Andrea"]
FLITE_VOICES = ["kal16", "awb", "rms", "slt"]
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


def th_stopped(text: str, accent: str) -> str:
    """espeak-ng phoneme input for text with "th" stopped (D -> d, T -> t: "dis ting"), as many
    accents of English do (Caribbean, Irish, Indian, West African, New York). No trained espeak-ng
    accent does it, so a model trained on them misses words like "the" and "three" from speakers who do."""
    phonemes = subprocess.run(["espeak-ng", "-v", accent, "-q", "-x", text], check=True, capture_output=True,
                              text=True).stdout
    return "[[" + " ".join(phonemes.replace("D", "d").replace("T", "t").split()) + "]]"


def flite(text: str, voice: str, path: str) -> None:
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", path], check=True, capture_output=True)


def festival(text: str, voice: str, path: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        subprocess.run(["text2wave", "-eval", f"({voice})", f.name, "-o", path], check=True, capture_output=True)
    finally:
        os.unlink(f.name)


ENGINE_SHARE = {"espeak": 0.72, "flite": 0.25, "festival": 0.03}


def synthesize_training(text: str, rng: random.Random, path: str, engines=tuple(ENGINE_SHARE), lang="en",
                        th_stopping=0.0) -> str:
    """Speak text with a random training voice of one of engines into path (a WAV file); returns
    the voice's name. Engines are drawn in proportion to ENGINE_SHARE; languages other than
    English are spoken by espeak-ng only (flite and festival speak English). A th_stopping share of
    the English espeak-ng utterances is spoken with "th" stopped (see th_stopped)."""
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
        espeak(th_stopped(text, accent) if stopped else text, accent, variant, rng.randint(125, 210),
               rng.randint(25, 75), path)
        return f"espeak:{accent}+{variant}" + ("+th-stopped" if stopped else "")
    if engine == "flite":
        voice = rng.choice(FLITE_VOICES)
        flite(text, voice, path)
        return f"flite:{voice}"
    voice = rng.choice(["voice_kal_diphone", "voice_cmu_us_slt_arctic_hts"])
    festival(text, voice, path)
    return f"festival:{voice}"


def synthesize_held_out(text: str, path: str, voice=HELD_OUT_ESPEAK) -> str:
    accent, variant = voice
    espeak(text, accent, variant, 165, 50, path)
    return f"espeak:{accent}+{variant}"
