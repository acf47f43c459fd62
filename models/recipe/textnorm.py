"""Spoken-form text normalisation shared by corpus building and evaluation.

The acoustic model is trained on lowercase spoken words (letters, apostrophes, spaces):
numbers, money, times and ordinals are spelled out here so that what the TTS engine says
and what the transcript contains agree.
"""
import re

ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ORD_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                 "nine": "ninth", "twelve": "twelfth"}


def number_words(n: int) -> str:
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    for value, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= value:
            rest = n % value
            return number_words(n // value) + " " + name + ("" if rest == 0 else " " + number_words(rest))
    raise ValueError(n)


def ordinal_words(n: int) -> str:
    words = number_words(n).split()
    last = words[-1]
    if last in ORD_IRREGULAR:
        words[-1] = ORD_IRREGULAR[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def year_words(n: int) -> str:
    if 2000 <= n < 2010:
        return number_words(n)
    hi, lo = divmod(n, 100)
    if lo == 0:
        return number_words(hi) + " hundred"
    return number_words(hi) + " " + (("oh " + ONES[lo]) if lo < 10 else number_words(lo))


def _money(m: re.Match) -> str:
    dollars = int(m.group(1).replace(",", ""))
    cents = int(m.group(2)) if m.group(2) else 0
    out = number_words(dollars) + (" dollar" if dollars == 1 else " dollars")
    if cents:
        out += " and " + number_words(cents) + (" cent" if cents == 1 else " cents")
    return " " + out + " "


def _time(m: re.Match) -> str:
    h, mi = int(m.group(1)), int(m.group(2))
    words = number_words(h) + (" o'clock" if mi == 0 else (" oh " + ONES[mi] if mi < 10 else " " + number_words(mi)))
    return " " + words + " "


def _number(m: re.Match) -> str:
    text = m.group(0).replace(",", "")
    if "." in text:
        whole, frac = text.split(".", 1)
        return " " + number_words(int(whole)) + " point " + " ".join(ONES[int(d)] for d in frac) + " "
    n = int(text)
    if 1100 <= n <= 1999 or 2010 <= n <= 2099:
        return " " + year_words(n) + " "
    return " " + number_words(n) + " "


def normalize(text: str) -> str:
    """Raw text to the model's spoken form; returns "" when the text cannot be spoken cleanly."""
    t = text.lower()
    t = t.replace("’", "'").replace("‘", "'").replace("&", " and ").replace("%", " percent ")
    t = re.sub(r"\$(\d[\d,]*)(?:\.(\d\d))?", _money, t)
    t = re.sub(r"\b(\d{1,2}):(\d\d)\b", _time, t)
    t = re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: " " + ordinal_words(int(m.group(1))) + " ", t)
    t = re.sub(r"\d[\d,]*(\.\d+)?", _number, t)
    t = re.sub(r"\b(mr|mrs|dr|st)\.", lambda m: {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}[m.group(1)], t)
    t = re.sub(r"[-/]", " ", t)
    t = re.sub(r"[^a-z' ]", " ", t)
    t = re.sub(r"(^| )'+|'+( |$)", " ", t)
    return re.sub(r"\s+", " ", t).strip()
