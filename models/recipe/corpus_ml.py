"""Stage 1 (multilingual): training and held-out text for ml-default, one "<xx> sentence" per line.

Languages: en, es, fr, de, it, pt. The tag at the start of each line is the language; it becomes
the last target piece (tokenizer.encode_transcript), so the model learns to say which language it
heard at the end of each utterance (language_detection).
Sources, all Debian packages: fortunes-es, fortunes-de, fortunes-it, fortunes-br (Portuguese) and
the translated manual pages (manpages-fr, -es, -de, -it, -pt-br: prose descriptions, options
dropped), plus templated voice-agent sentences written here for each language. English comes from
corpus.py's output (--english DIR). Sentences holding digits or foreign symbols are dropped rather
than spelled out: number normalisation exists for English only. So are the untranslated English
lines the translated manual pages keep ("option will be ignored" among the Spanish ones): a
sentence whose words are mostly in Debian's English word list and hardly any only in the
language's own (wamerican, wspanish, wfrench, wngerman, witalian, wportuguese) would teach the
model English tagged as another language and score a Spanish voice on English text. They are
dropped after the split, so an earlier run's held-out sentences stay held out.
Usage: corpus_ml.py OUT_DIR --english EN_CORPUS_DIR [--per-language 25000] [--heldout 100] [--seed N]
"""
import argparse, glob, gzip, os, random, re, unicodedata

LANGUAGES = ["en", "es", "fr", "de", "it", "pt"]
FORTUNES = {"es": ["es/*.fortunes"], "de": ["de/*"], "it": ["it/*"], "pt": ["brasil"]}
MANPAGES = {"es": ["es"], "fr": ["fr"], "de": ["de"], "it": ["it"], "pt": ["pt_BR", "pt"]}
LETTERS = "a-zàâäçéèêëîïôöûùüÿñœæßáíóúãõì"
SKIP_FORTUNE_FILES = {"asciiart", "banner", "off", "unix", "linux", "computer", "computer.u8"}

# Templated voice-agent sentences: (openers, requests, things, days) in each language.
TEMPLATES = {
    "es": ("hola|buenos días|oiga|por favor|bueno|gracias|perdone".split("|"),
           "puede reservar|quiero cancelar|necesito ver|me gustaría cambiar|puedes encender|puedes apagar|quiero pedir".split("|"),
           "una mesa para dos|mi cuenta|el tiempo de mañana|un taxi al aeropuerto|la farmacia más cercana|mi pedido|las luces de la cocina|una cita con el médico|mi contraseña|la música".split("|"),
           "lunes martes miércoles jueves viernes sábado domingo".split()),
    "fr": ("bonjour|salut|s'il vous plaît|alors|merci|excusez moi|bon".split("|"),
           "pouvez vous réserver|je voudrais annuler|j'ai besoin de voir|je veux changer|peux tu allumer|peux tu éteindre|je voudrais commander".split("|"),
           "une table pour deux|mon compte|la météo de demain|un taxi pour l'aéroport|la pharmacie la plus proche|ma commande|les lumières de la cuisine|un rendez vous chez le médecin|mon mot de passe|de la musique".split("|"),
           "lundi mardi mercredi jeudi vendredi samedi dimanche".split()),
    "de": ("hallo|guten tag|bitte|also|danke|entschuldigung|na ja".split("|"),
           "können sie reservieren|ich möchte stornieren|ich muss sehen|ich möchte ändern|kannst du einschalten|kannst du ausschalten|ich möchte bestellen".split("|"),
           "einen tisch für zwei|mein konto|das wetter morgen|ein taxi zum flughafen|die nächste apotheke|meine bestellung|das licht in der küche|einen termin beim arzt|mein passwort|etwas musik".split("|"),
           "montag dienstag mittwoch donnerstag freitag samstag sonntag".split()),
    "it": ("ciao|buongiorno|per favore|allora|grazie|scusi|bene".split("|"),
           "può prenotare|vorrei cancellare|ho bisogno di vedere|voglio cambiare|puoi accendere|puoi spegnere|vorrei ordinare".split("|"),
           "un tavolo per due|il mio conto|il tempo di domani|un taxi per l'aeroporto|la farmacia più vicina|il mio ordine|le luci della cucina|un appuntamento dal medico|la mia password|un po' di musica".split("|"),
           "lunedì martedì mercoledì giovedì venerdì sabato domenica".split()),
    "pt": ("olá|bom dia|por favor|então|obrigado|desculpe|bem".split("|"),
           "pode reservar|quero cancelar|preciso de ver|gostaria de mudar|pode ligar|pode desligar|quero pedir".split("|"),
           "uma mesa para dois|a minha conta|o tempo de amanhã|um táxi para o aeroporto|a farmácia mais próxima|o meu pedido|as luzes da cozinha|uma consulta com o médico|a minha senha|uma música".split("|"),
           "segunda terça quarta quinta sexta sábado domingo".split()),
}


def normalize(text: str) -> str:
    """Lowercase spoken form in the language's own letters; "" when the text holds digits or
    symbols that would be spoken differently from how they are written."""
    t = unicodedata.normalize("NFC", text).lower().replace("’", "'").replace("‘", "'")
    if re.search(r"[0-9@#$%&*=<>/\\_|{}\[\]~^+]", t):
        return ""
    t = re.sub(r"[-–—]", " ", t)
    t = re.sub(r"[.,;:!?¡¿\"«»“”()…]", " ", t)
    if re.search(f"[^{LETTERS}' ]", t):
        return ""
    t = re.sub(r"(^| )'+|'+( |$)", " ", t)
    return re.sub(r"\s+", " ", t).strip()


WORD_LISTS = {"en": "american-english", "es": "spanish", "fr": "french", "de": "ngerman", "it": "italian",
              "pt": "portuguese"}


def word_list(lang: str, root="/usr/share/dict") -> set[str]:
    path = os.path.join(root, WORD_LISTS[lang])
    if not os.path.exists(path):
        raise SystemExit(f"corpus_ml: {path} is missing (apt-get install wamerican wspanish wfrench wngerman witalian wportuguese)")
    return {normalize(w.strip()) for w in open(path, encoding="utf-8", errors="ignore")} - {""}


def reads_as_english(sentence: str, english: set[str], own: set[str]) -> bool:
    """Most words (of 3+ letters) English-only, hardly any only the language's own."""
    words = [w for w in sentence.split() if len(w) >= 3]
    if len(words) < 2:
        return False
    english_only = sum(w in english and w not in own for w in words) / len(words)
    own_only = sum(w in own and w not in english for w in words) / len(words)
    return english_only >= 0.6 and own_only <= 0.15


def split_sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", " ".join(text.split()))


def read_text(path: str) -> str:
    raw = open(path, "rb").read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def fortune_sentences(lang: str, root="/usr/share/games/fortunes") -> list[str]:
    out = []
    for pattern in FORTUNES.get(lang, []):
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            name = os.path.basename(path)
            if not os.path.isfile(path) or name.endswith(".dat") or name in SKIP_FORTUNE_FILES:
                continue
            if os.path.exists(path + ".u8"):
                continue  # the UTF-8 copy is read instead
            for entry in read_text(path).split("\n%\n"):
                entry = re.sub(r"^\s*--.*$", "", entry, flags=re.M)  # attributions
                out += split_sentences(entry)
    return out


ROFF_SIMPLE = {r"\*(Aq": "'", r"\(aq": "'", r"\[aq]": "'", r"\(cq": "'", r"\&": "", r"\ ": " ", r"\-": "-", r"\~": " "}


ROFF_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", ":": "\u0308", ",": "\u0327", "~": "\u0303"}


def unroff(line: str) -> str:
    """A roff text line as plain text (accented letters such as \\('e joined up); any escape
    left over marks the line as unusable, so it becomes a sentence break, not a misspelt word."""
    for escape, plain in ROFF_SIMPLE.items():
        line = line.replace(escape, plain)
    line = re.sub(r"\\\((['`^:,~])([a-zA-Z])", lambda m: unicodedata.normalize("NFC", m.group(2) + ROFF_ACCENTS[m.group(1)]), line)
    line = line.replace(r"\(ss", "ß")
    return "\n" if "\\" in line else line


def manpage_sentences(lang: str, root="/usr/share/man") -> list[str]:
    """Prose lines of the translated manual pages: roff requests, font escapes and option lists dropped."""
    out = []
    for folder in MANPAGES.get(lang, []):
        for path in sorted(glob.glob(os.path.join(root, folder, "man*", "*.gz"))):
            try:
                lines = gzip.open(path, "rt", encoding="utf-8", errors="ignore").read().split("\n")
            except (OSError, EOFError):
                continue
            prose = []
            for line in lines:
                if line.startswith((".", "'")) or "\\f" in line or line.strip().startswith("-"):
                    prose.append("\n")
                    continue
                prose.append(unroff(line))
            for block in " ".join(prose).split("\n"):
                out += split_sentences(block)
    return out


def templated(lang: str, rng: random.Random) -> str:
    openers, requests, things, days = TEMPLATES[lang]
    r = rng.random()
    if r < 0.5:
        return f"{rng.choice(openers)} {rng.choice(requests)} {rng.choice(things)}"
    if r < 0.8:
        return f"{rng.choice(requests)} {rng.choice(things)} {rng.choice(days)}"
    return f"{rng.choice(openers)} {rng.choice(things)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--english", required=True, help="corpus.py's output directory (train.txt, heldout.txt)")
    ap.add_argument("--per-language", type=int, default=25000)
    ap.add_argument("--heldout", type=int, default=100)
    ap.add_argument("--templated", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    train, heldout = [], []
    english_words = word_list("en")
    for lang in LANGUAGES:
        # One generator per language, so that a language's split depends on its own sources only:
        # with one shared generator, the English corpus's size moved every later language's split.
        lang_rng = random.Random(f"{args.seed}:{lang}")
        if lang == "en":
            en_train = [l.strip() for l in open(os.path.join(args.english, "train.txt")) if l.strip()]
            en_held = [l.strip() for l in open(os.path.join(args.english, "heldout.txt")) if l.strip()]
            lang_rng.shuffle(en_train)
            held, rest = en_held[: args.heldout], en_train[: args.per_language]
        else:
            seen, natural = set(), []
            for raw in fortune_sentences(lang) + manpage_sentences(lang):
                spoken = normalize(raw)
                if 3 <= len(spoken.split()) <= 20 and spoken not in seen:
                    seen.add(spoken)
                    natural.append(spoken)
            lang_rng.shuffle(natural)
            # Held-out sentences are natural text only; templates join training.
            held = natural[: args.heldout]
            made = {normalize(templated(lang, lang_rng)) for _ in range(args.templated)} - set(held)
            rest = (natural[args.heldout:] + sorted(made))[: args.per_language]
            own = word_list(lang)
            kept_held = [s for s in held if not reads_as_english(s, english_words, own)]
            kept_rest = [s for s in rest if not reads_as_english(s, english_words, own)]
            print(f"corpus_ml: {lang}: {len(natural)} natural sentences, {len(made)} templated, "
                  f"{len(held) + len(rest) - len(kept_held) - len(kept_rest)} English lines dropped")
            held, rest = kept_held, kept_rest
        train += [f"<{lang}> {s}" for s in rest]
        heldout += [f"<{lang}> {s}" for s in held]
        print(f"corpus_ml: {lang}: {len(rest)} training, {len(held)} held out")
    rng.shuffle(train)
    with open(os.path.join(args.out, "train.txt"), "w") as f:
        f.write("\n".join(train) + "\n")
    with open(os.path.join(args.out, "heldout.txt"), "w") as f:
        f.write("\n".join(heldout) + "\n")


if __name__ == "__main__":
    main()
