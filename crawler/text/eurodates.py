"""Day-first dates as most of Europe writes them, found in text and read without dateparser.

    03.02.2022 · 3.2.22 · 1. Februar 2022 · 30 septembre 2018 · 1 de febrero de 2022 · 7 maggio 2020

A dotted numeric date is day.month.year everywhere it is written (nobody writes a US date
with dots), so it is read day-first without guessing from the page's language; slashed
numeric dates (03/02/2022) are not, and stay with dateparser and the language hint.
Month names of German, French, Spanish, Italian, Portuguese and Dutch (English is read by
crawler/text/dates.py). Pure functions, no Scrapy.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_NAMES = {
    1: "januar jänner janner janvier janv enero gennaio janeiro januari",
    2: "februar feber février fevrier févr fevr febrero febbraio fevereiro februari",
    3: "märz mär maerz marz mars marzo março marco maart mrt",
    4: "april avril avr abril aprile",
    5: "mai mayo maggio maio mei",
    6: "juni juin junio giugno junho",
    7: "juli juillet juil julio luglio julho",
    8: "august août aout agosto augustus",
    9: "september septembre sept septiembre setiembre settembre setembro",
    10: "oktober octobre octubre ottobre outubro okt",
    11: "november novembre noviembre novembro",
    12: "dezember décembre decembre déc dec diciembre dicembre dezembro december dez",
}
MONTHS: dict[str, int] = {name: month for month, names in _NAMES.items() for name in names.split()}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
# ", 14:17", " um 23:03 Uhr", " à 12h00", " - 14:45"
_TIME = (
    r"(?:\s*(?:,|-|–|\||um|à|a las|alle|às|om)?\s*(?P<H>[01]?\d|2[0-3])[:h](?P<M>[0-5]\d)(?!\d)"
    r"(?:\s*(?:Uhr|h)\b)?)?"
)
NAMED_RE = re.compile(
    rf"(?<![\w.])(?P<d>[12]\d|3[01]|0?[1-9])(?:\.|er|º)?\s*(?:de\s+)?(?P<mon>{_MONTH_ALT})\.?,?\s*(?:de\s+)?"
    rf"(?P<y>(?:19|20)\d\d)(?!\d){_TIME}",
    re.IGNORECASE,
)
DOTTED_RE = re.compile(
    rf"(?<![\d.])(?P<d>[12]\d|3[01]|0?[1-9])\.\s?(?P<m>1[0-2]|0?[1-9])\.\s?(?P<y>(?:19|20)\d\d|\d\d)(?![\d]|\.\d){_TIME}"
)
# An ISO day in running text ("2021-10-16 | Botschaft"), not inside a longer number or path.
ISO_DAY_RE = re.compile(
    rf"(?<![\d/.-])(?P<y>(?:19|20)\d\d)-(?P<m>1[0-2]|0[1-9])-(?P<d>[12]\d|3[01]|0[1-9])(?!\d|-\d){_TIME}"
)
PATTERNS = (NAMED_RE, DOTTED_RE, ISO_DAY_RE)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def find(text: str) -> list[re.Match[str]]:
    """Every day-first (or ISO) date in text, in order, without overlaps."""
    found = sorted((m for pattern in PATTERNS for m in pattern.finditer(text)), key=lambda m: (m.start(), -m.end()))
    out: list[re.Match[str]] = []
    end = 0
    for m in found:
        if m.start() >= end:
            out.append(m)
            end = m.end()
    return out


def year_of(raw: str) -> int:
    """A two-digit year: this century unless that is more than a year ahead (then the last)."""
    year = int(raw)
    if year >= 100:
        return year
    this = date.today().year
    return 2000 + year if 2000 + year <= this + 1 else 1900 + year


def parts(text: str) -> tuple[int, int, int, int | None, int | None] | None:
    """(year, month, day, hour, minute) when text is exactly one such date, else None."""
    text = _fold(text).strip().rstrip(".")
    for pattern in PATTERNS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        month = int(m["m"]) if "m" in m.groupdict() else MONTHS[m["mon"].lower()]
        hour = int(m["H"]) if m["H"] else None
        return year_of(m["y"]), month, int(m["d"]), hour, int(m["M"]) if m["M"] else None
    return None
