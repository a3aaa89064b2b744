"""Block normalisation, in-article repeats and known boilerplate: which blocks an article keeps.

Pure functions: no Scrapy, no storage. The seed NHK page repeats whole runs of
paragraphs; removing every block that equals an earlier block (after
normalisation) removes such runs whole while keeping the first occurrence and
the original order.

The rule, for every block in page order:

1. a block with no letter or digit at all (only punctuation, symbols, emoji,
   whitespace) is dropped as "empty": it carries no text to count on;
2. a block whose key is in the site's learned boilerplate is dropped as
   "boilerplate" (see crawler/text/boilerplate.py); else a short paywall, newsletter or
   membership call, or a "related articles" heading, as "furniture" (is_furniture);
3. a block whose key equals an earlier block's key is dropped as "repeat" -
   unless it is structure rather than prose: a short label of at most
   SHORT_LABEL characters ("Q", "A", "写真", "解説"), or a line of at most
   STRUCTURE_CHARS (CJK counted double) that does not end a sentence (a
   table cell, a list item, a timetable line such as "Eat every 2–3 hours"),
   or a question of at most QUESTION_CHARS (an interview asking each guest the
   same questions): those structure an article each time they appear. Repeated prose (the
   NHK seed's runs of sentences) goes.

Subheadings follow the same rule as paragraphs: a repeated subheading is a
repeat. The key is the block after Unicode NFKC (full-width
and half-width forms, including punctuation width), with whitespace removed
between CJK characters and collapsed elsewhere; case and digits are kept, so
"150万人" and "170万人" are different blocks and both stay.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from crawler.text.boilerplate import weighted_length

_WS = re.compile(r"\s+")
# Whitespace next to a CJK character or CJK punctuation carries no meaning ("東京 都" = "東京都").
# The leading (?=\s) lets the engine skip every other position at once (half the cost).
_CJK_SPACE = re.compile(
    r"(?=\s)(?:(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]))"
)
_HAS_WORD = re.compile(r"[^\W_]")

REPEAT, BOILERPLATE, EMPTY, FURNITURE = "repeat", "boilerplate", "empty", "furniture"
# Furniture: a short line that sells or points away rather than tells (a paywall or newsletter
# call, a "related articles" heading). Sites crawled one page at a time give boilerplate learning
# nothing to compare, so these few kinds of line are known by their words, in the languages
# crawled most. Only short blocks: a paragraph about subscriptions is an article's text.
FURNITURE_CHARS = 120  # CJK counted double
_FURNITURE_CALL = re.compile(
    # paywalls, memberships, newsletters, apps, social accounts
    r"\bsubscribe (?:now|today|to (?:read|continue|our|the full|get))|already (?:a )?subscriber"
    r"|\bsign up (?:for|to) (?:our|the|get)|(?:log|sign) in to (?:continue|read)|to continue reading"
    r"|(?:to view|for) the full story|\bfollow (?:us|the \w+) on|never miss (?:the|a|an)\b|download the \w+ apps?"
    r"|newsletter (?:an|ab)melden|zum newsletter|mit unserem newsletter|jetzt abonnieren|\babo abschließen"
    r"|folgen sie uns"
    r"|we want to hear what you think|suscr[ií]bete|hazte miembro|s[ií]guenos en|canal de (?:youtube|telegram)"
    r"|abonnez-vous|inscrivez-vous|pour lire la suite|pour accéder en illimité"
    r"|会員限定|有料会員|会員登録|登録すると|読み放題|メールマガジン|ログインすると"
    # advertising disclosures, comment counters, rights notices
    r"|affiliate[- ]links?|enthält werbung|^\*?(?:anzeige|werbung)\b|^(?:keine|\d+) kommentare?$|^view comments$"
    r"|all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados"
    r"|copyrighted property of|written permission must be obtained",
    re.IGNORECASE,
)
# A heading that points to other stories, alone or with the teaser it introduces
# ("Read more: Looted colonial art", "Lea también: ...", "関連記事"); the phrases of the second
# group never open a sentence of a story, so they may run straight into the teaser's title.
_FURNITURE_HEADING = re.compile(
    r"^(?:(?:related(?: articles?| stories| news| content| posts?)?|recommended(?: for you)?|auch interessant"
    r"|schon gelesen\?|empfohlene beiträge|weiterlesen|weitere themen|mehr themen|inhaltsverzeichnis"
    r"|table of contents|(?:te|le) puede interesar"
    r"|関連記事|関連ニュース|おすすめ情報|あわせて読みたい|関連キーワード|目次)"
    r"\s*(?:[:：].*)?"
    r"|(?:read (?:more|also)|see also|also read|more on this(?: story)?|you (?:may|might) also like"
    r"|lesen sie auch|auch lesen|zum weiterlesen|weitere artikel(?: zum thema)?|mehr zum thema"
    r"|das (?:thema )?könnte (?:sie|dich) auch interessieren|(?:à )?lire aussi|notas relacionadas"
    r"|contenido relacionado|lea también|lee también|lea más|vea también|puedes ver|czytaj (?:też|także))\b.*)$",
    re.IGNORECASE,
)
SHORT_LABEL = 5
STRUCTURE_CHARS = 60
_SENTENCE_END = re.compile(r"[.。!！?？」』\"”)）]$")
QUESTION_CHARS = 200
_QUESTION_END = re.compile(r"[?？]$")


def is_structure(norm: str) -> bool:
    """A short label, a short line that does not end a sentence (table cell, list item), or a
    question (an interview's recurring question, asked of each guest in turn)."""
    if len(norm) <= SHORT_LABEL:
        return True
    weight = weighted_length(norm)
    if weight <= QUESTION_CHARS and _QUESTION_END.search(norm):
        return True
    return weight <= STRUCTURE_CHARS and not _SENTENCE_END.search(norm)


def is_furniture(norm: str) -> bool:
    """A paywall, newsletter or membership call, or a "related articles" heading (see above)."""
    if len(norm) > FURNITURE_CHARS or weighted_length(norm) > FURNITURE_CHARS:  # (most blocks: the first test)
        return False
    return bool(_FURNITURE_HEADING.match(norm) or _FURNITURE_CALL.search(norm))


@functools.lru_cache(maxsize=16384)
def normalize_block(text: str) -> str:
    """Return the comparison key text of a block (NFKC, whitespace normalised, trimmed).

    NFKC folds full-width ASCII, full-width punctuation and half-width katakana,
    so "ＡＢＣ１２３！" and "ABC123!" compare equal; casing is kept because it
    can carry meaning.
    """
    # Cached: the same blocks are normalised by extraction, cleaning and storage (block keys)
    # within moments of each other; 16k blocks hold a few batches of articles.
    text = unicodedata.normalize("NFKC", text)
    return _WS.sub(" ", _CJK_SPACE.sub("", text)).strip()


def block_key(text: str) -> str:
    """A short stable hash of the normalised block, used to count blocks across articles."""
    return hashlib.blake2b(normalize_block(text).encode("utf-8"), digest_size=8).hexdigest()


# Invisible hints to the renderer, not text: a soft hyphen ("Kiess\u00adling") or a zero-width
# space splits a word for search, snippets and every comparison.
_INVISIBLE = dict.fromkeys((0x00AD, 0x200B, 0x2060, 0xFEFF))


def clean_block(text: str) -> str:
    """Whitespace tidy-up for storage: collapse runs, drop invisible hyphenation hints, keep the
    characters as published."""
    return _WS.sub(" ", text.translate(_INVISIBLE)).strip()


def has_words(text: str) -> bool:
    return bool(_HAS_WORD.search(text))


@dataclass
class StripResult:
    """Blocks kept (in order) and the blocks dropped, with their positions and reasons."""

    kept: list[str] = field(default_factory=list)
    stripped: list[tuple[int, str, str]] = field(default_factory=list)  # (position, text, reason)

    def count(self, reason: str) -> int:
        return sum(1 for _, _, r in self.stripped if r == reason)


def clean_blocks(
    blocks: list[str], boilerplate: Collection[str] = (), repeats: bool = True, furniture: bool = True
) -> StripResult:
    """Apply the rule above; boilerplate holds block keys (block_key). Linear in the blocks.

    A repeated structural line (is_structure) goes only as part of a repeated run that holds
    prose: the NHK seed's runs lose their subheadings with their paragraphs, while a timetable
    or a table that repeats its cells keeps them. repeats=False keeps every in-article repeat
    (rule 3 off: NEWS_REPEATS_ENABLED); furniture=False keeps furniture lines (rule 0 off:
    NEWS_FURNITURE_ENABLED)."""
    seen: set[str] = set()
    # (index, text, fate): fate is "keep", a strip reason, or "repeat?" (a structural repeat).
    marked: list[tuple[int, str, str]] = []
    for index, block in enumerate(blocks):
        text = clean_block(block)
        if not text:
            continue  # whitespace-only: nothing was there
        if not has_words(text):
            marked.append((index, text, EMPTY))
            continue
        norm = normalize_block(text)
        key = hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest() if boilerplate else norm
        if boilerplate and key in boilerplate:
            marked.append((index, text, BOILERPLATE))
        elif furniture and is_furniture(norm):
            marked.append((index, text, FURNITURE))
        elif repeats and key in seen:
            marked.append((index, text, "repeat?" if is_structure(norm) else REPEAT))
        else:
            seen.add(key)
            marked.append((index, text, "keep"))
    result = StripResult()
    run_start = 0
    for i in range(len(marked) + 1):
        # Runs of consecutive repeats (prose or structural); empty and boilerplate blocks join them.
        if i < len(marked) and marked[i][2] != "keep":
            continue
        run = marked[run_start:i]
        prose = any(fate == REPEAT for _, _, fate in run)
        for index, text, fate in run:
            if fate == "repeat?" and not prose:
                result.kept.append(text)
            else:
                result.stripped.append((index, text, REPEAT if fate == "repeat?" else fate))
        if i < len(marked):
            result.kept.append(marked[i][1])
        run_start = i + 1
    return result
