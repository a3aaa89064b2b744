"""Full-text search that works for Japanese with SQLite's FTS5: the bigram form and the query form.

SQLite's `unicode61` tokenizer takes a whole run of Japanese as one token, and `trigram` never
matches a query shorter than three characters, while most Japanese words are two (停戦, 交渉).
So the index holds a *bigram form* of the text: every run of CJK characters becomes its
overlapping two-character pieces plus its last character alone ("停戦交渉" -> "停戦 戦交 交渉 渉"),
and every other script is left as it is, for unicode61 to split into words. A query is turned
into the same form, each term a quoted phrase: "停戦交渉" -> "停戦 戦交 交渉", which matches
exactly the texts holding that string (adjacent pieces are adjacent only inside one run).
A one-character query becomes a prefix query ("戦"*), which the trailing lone character makes
complete. Terms are ANDed. Nothing the user types is read as FTS syntax: quotes, `*`, `NEAR`,
`OR`, parentheses and a lone `-` are words or nothing.

Pure: the storage migration, the triggers that keep the index in sync and the Datasette plugin
all call these two functions (registered as SQL functions), so index and query agree.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Han (with the iteration marks 々〆), Hiragana, Katakana (with the long-vowel mark ー and the
# half-width forms NFKC folds away) and Hangul: scripts written without spaces between words.
_CJK = (
    "\u3005\u3006\u3007\u303b"  # 々 〆 〇 〻
    "\u3041-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana, ー
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
# What unicode61 calls a token character: letters, digits, marks (and our CJK runs). Anything
# else separates tokens, so a query term of only punctuation ("-", "*", "()") has no token.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
NO_MATCH = '"\u3000"'  # a valid phrase with no token: matches nothing, raises nothing
SNIPPET_CHARS = 160
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


_SURROGATE = re.compile("[\ud800-\udfff]")


def normalize(text: str) -> str:
    """NFKC (full-width letters and half-width katakana to their usual forms) and case-folded;
    lone surrogates (left by bad decoding; SQLite cannot store them) dropped."""
    return unicodedata.normalize("NFKC", _SURROGATE.sub("", text)).casefold()


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def bigram_form(text: str | None) -> str:
    """The text as it is indexed: CJK runs as overlapping bigrams (plus the run's last
    character), everything else unchanged; separated by spaces so unicode61 splits there."""
    if not text:
        return ""
    text = normalize(text)
    out: list[str] = []
    last = 0
    for match in _CJK_RUN.finditer(text):
        out.append(text[last : match.start()])
        run = match.group()
        # _bigrams(run), joined: pairs made by zip, a third faster (every stored title and body
        # passes here, through the index trigger).
        pairs = " ".join(map(str.__add__, run, run[1:]))
        out.append(f" {pairs} {run[-1]} " if pairs else f" {run} ")
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _term_tokens(term: str) -> list[str]:
    """The tokens of one query term, in the indexed form, in order."""
    tokens: list[str] = []
    for piece in _TOKEN.findall(normalize(term)):
        last = 0
        for match in _CJK_RUN.finditer(piece):
            tokens.extend(t for t in [piece[last : match.start()]] if t)
            run = match.group()
            # A query run is matched by its bigrams alone: the lone last character is only
            # there so a one-character query finds the end of a run.
            tokens.extend(_bigrams(run)[:-1] if len(run) > 1 else [run])
            last = match.end()
        tokens.extend(t for t in [piece[last:]] if t)
    return tokens


def query_terms(query: str | None) -> list[str]:
    """The user's terms: words split on white space, a double-quoted span kept as one term."""
    if not query:
        return []
    terms: list[str] = []
    for quoted, word in re.findall(r'"([^"]*)"?|(\S+)', query):
        term = quoted if quoted else word
        if term.strip():
            terms.append(term)
    return terms


def fts_query(query: str | None) -> str:
    """An FTS5 MATCH expression for what the user typed: each term a phrase in the bigram
    form, all ANDed. Never raises and never returns FTS syntax the user wrote."""
    phrases: list[str] = []
    for term in query_terms(query):
        tokens = _term_tokens(term)
        if not tokens:
            continue
        if len(tokens) == 1 and len(tokens[0]) == 1 and _CJK_RUN.fullmatch(tokens[0]):
            phrases.append(f'"{tokens[0]}"*')  # one character: any bigram starting with it
        else:
            phrases.append('"' + " ".join(tokens) + '"')
    return " ".join(phrases) if phrases else NO_MATCH


def _needles(query: str | None) -> list[str]:
    """What to highlight: each term's normalised form, longest first."""
    needles = {normalize(t).strip() for t in query_terms(query)}
    return sorted((n for n in needles if _TOKEN.search(n)), key=len, reverse=True)


def snippet(text: str | None, query: str | None, width: int = SNIPPET_CHARS) -> str:
    """A window of text around the first hit of the query, hits wrapped in <mark>...</mark>.

    The text is not HTML-escaped: whoever shows it as HTML escapes it and then restores the
    mark tags (crawler/datasette/plugin/), so no page text can become markup.

    Matching is on the normalised text (NFKC, case-folded), which keeps the length of
    almost all text; where it does not, the snippet falls back to the text's opening."""
    if not text:
        return ""
    folded = normalize(text)
    if len(folded) != len(text):
        folded = text.casefold() if len(text.casefold()) == len(text) else text
    needles = _needles(query)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        for match in re.finditer(re.escape(needle), folded):
            if not any(s < match.end() and match.start() < e for s, e in spans):
                spans.append((match.start(), match.end()))
    spans.sort()
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    out = ["…" if start else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(text[cursor:s])
        out.append(MARK_OPEN + text[s:e] + MARK_CLOSE)
        cursor = e
    out.append(text[cursor:end])
    out.append("…" if end < len(text) else "")
    return " ".join("".join(out).split())


def highlighted_html(value: str) -> str:
    """A snippet as safe HTML: everything escaped, then only our mark tags restored."""
    escaped = html.escape(value, quote=False)
    return escaped.replace(html.escape(MARK_OPEN), MARK_OPEN).replace(html.escape(MARK_CLOSE), MARK_CLOSE)
