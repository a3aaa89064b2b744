"""The language of an article: the one its page declares, or the one its text is written in.

Pure. Pages often declare no language (7-37% of the shared real sets' pages), declare something
that is not one ("Content-Language: UTF-8"), or keep their template's `lang="en"` on German or
French text: of 650 real pages whose declaration and text disagree, the text was right in about
four of five cases looked at. So the text decides when the page declares nothing, and overrules
a declaration only when it is long enough and certain (a short or mixed text, a tweet quoted in
another language, a close sibling such as Malay for Indonesian, keeps the declaration). The
identifier is py3langid (langid.py's model, 97 languages, about 0.5 ms a page).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

TEXT_REACH = 3000  # characters of the text looked at: the language is settled long before
# ...and at most this many bytes of it in UTF-8: the identifier reads byte n-grams, so 3,000
# Japanese characters cost it three times 3,000 Latin ones; 1,000 settle a CJK text as surely.
TEXT_BYTES = 3000
MIN_TEXT = 40  # below this, no guess from the text
OVERRULE_TEXT = 400  # a declaration is overruled only by a text this long...
OVERRULE_PROBABILITY = 0.9999  # ...of which the identifier is this sure
MIN_PROBABILITY = 0.9  # a guess for a page that declares nothing
# Languages the identifier confuses with each other on real text: never overrule one by the other.
SIBLINGS = [{"id", "ms"}, {"no", "nb", "nn", "da"}, {"hr", "sr", "bs"}, {"cs", "sk"}, {"gl", "pt", "es"}]


@lru_cache(maxsize=1)
def _identifier() -> tuple[Any, Any]:
    # Imported and loaded on first use: the model takes about 0.1 s, which commands that never
    # read a page should not pay.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    from threadpoolctl import ThreadpoolController

    return LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True), ThreadpoolController()


def _classify(sample: str) -> tuple[str, float]:
    # The identifier multiplies small numpy matrices; numpy's BLAS would run each product on a
    # thread per core, and those threads spin between calls: on two cores a page cost two to
    # three times its CPU (bench/README.md, "numpy's spinning threads"). One thread for our own
    # products only (8 µs a call), whatever was imported first; the rest of the process keeps its own.
    identifier, threads = _identifier()
    with threads.limit(limits=1, user_api="blas"):
        language, probability = identifier.classify(sample)
    return str(language), float(probability)


def text_language(text: str) -> tuple[str | None, float]:
    """The language the text is written in and how sure the identifier is, or (None, 0.0)."""
    sample = " ".join(text[:TEXT_REACH].split()).encode("utf-8")[:TEXT_BYTES].decode("utf-8", "ignore")
    if len(sample) < MIN_TEXT:
        return None, 0.0
    return _classify(sample)


def siblings(a: str, b: str) -> bool:
    return any(a in group and b in group for group in SIBLINGS)


def choose_language(
    declared: str | None, fallback: str | None, title: str, blocks: list[str]
) -> tuple[str | None, str | None]:
    """(language, source): source "page" (declared), "text" (read from the text) or "profile"
    (the site's profile says it: used only when the text says nothing sure)."""
    text = "\n".join(blocks)
    guess, probability = text_language(text if len(text) >= MIN_TEXT else f"{title}\n{text}")
    if declared:
        primary = declared.split("-")[0]
        if (
            guess
            and guess != primary
            and probability >= OVERRULE_PROBABILITY
            and len(text) >= OVERRULE_TEXT
            and not siblings(guess, primary)
        ):
            return guess, "text"
        return declared, "page"
    if guess and probability >= MIN_PROBABILITY:
        return guess, "text"
    if fallback:
        return fallback, "profile"
    return guess, "text" if guess else None
