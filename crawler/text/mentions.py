"""Date expressions inside article text, resolved against the publication day.

Pure. Offsets are character offsets into the text as given (full-width
digits are matched as they are, not normalised first, so offsets stay
true). Rules:

- 2022年3月8日, 令和4年3月8日, March 8, 2022: as written.
- 3月8日, March 8: the year that puts the day nearest the publication day.
- 今月 / 先月 / 来月 N日: that month.
- N日 alone: the publication month, or the previous month when N is after
  the publication day ("7日" in an article of 3月8日 is 3月7日) - unless N is
  at most ten days ahead and the sentence speaks of what is coming (予定,
  見込み, おそれ, を前に, "18日にも"): then the coming day.
- 去年 / 今年 / 来年 M月D日: that year.
- きょう / きのう / おととい / あす, today / yesterday / tomorrow.
- on Monday, last Monday: the most recent Monday on or before publication;
  next Monday, or "will ... on Monday": the next one; "Monday, March 14":
  the date given.
- Durations and counts are not dates: 3日連続, 3日間, 2日間にわたって,
  3日ぶり, 3日目, 3日後, 3日前, 約3日, 第3日, 1日あたり, "three days".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from crawler.text.dates import ERAS, JA_RELATIVE_DAY, nearest_year

_D = "[0-9０-９]"
_FW = str.maketrans("０１２３４５６７８９", "0123456789")
_NOT_A_DATE_AFTER = (
    r"(?!\s*(?:連続|間|ぶり|目|後|前|以上|以内|未満|余り|あまり|ほど|程度"
    r"|当たり|あたり|平均|おき|ごと|分の|にわたって|早|遅|延|短縮|以降に延期))"
)
# Each pattern opens with a lookahead on the characters its alternatives can start with: the
# engine then rejects most positions at once instead of trying every alternative there (7 to 15
# times faster over a long body, same matches).
_JA_RE = re.compile(
    r"(?=[明大昭平令0-9０-９今先来去昨お一こき本あ])(?:"
    rf"(?P<era>明治|大正|昭和|平成|令和)(?P<era_year>元|{_D}{{1,2}})年(?P<em>{_D}{{1,2}})月(?P<ed>{_D}{{1,2}})日"
    rf"|(?P<y>{_D}{{4}})年(?P<ym>{_D}{{1,2}})月(?P<yd>{_D}{{1,2}})日"
    rf"|(?P<rel_month>今月|先月|来月)(?P<rd>{_D}{{1,2}})日{_NOT_A_DATE_AFTER}"
    rf"|(?P<rel_year>去年|昨年|おととし|一昨年|今年|ことし|来年)(?P<rym>{_D}{{1,2}})月(?P<ryd>{_D}{{1,2}})日"
    rf"|(?<![0-9０-９])(?P<m>{_D}{{1,2}})月(?P<md>{_D}{{1,2}})日{_NOT_A_DATE_AFTER}"
    rf"|(?<![0-9０-９年月第約毎数連])(?P<d>{_D}{{1,2}})日(?!本){_NOT_A_DATE_AFTER}"
    r"|(?P<word>きょう|今日(?!では|的)|本日|きのう|昨日|おととい|一昨日|あす|明日|あした))"
)
_RELATIVE_WORDS = {**JA_RELATIVE_DAY, "today": 0, "yesterday": -1, "tomorrow": 1}
_MONTH_NAMES = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_EN_RE = re.compile(
    r"\b(?=[0-9JFMASONDLTUBWYjfmasondltubwy])(?:"
    rf"\b(?P<mon>{_MONTH})\.?\s+(?P<mday>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<myear>\d{{4}}))?\b"
    r"(?!\s*(?:percent|%|million|billion))"
    rf"|\b(?P<dday>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dmon>{_MONTH})\b\.?(?:,?\s+(?P<dyear>\d{{4}}))?"
    r"|\b(?:(?P<which>last|this|next|on|since|until|by|from)\s+)?"
    r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?P<enword>today|yesterday|tomorrow)\b)",
    re.IGNORECASE,
)
_FUTURE_HINT = re.compile(r"\b(will|is due|are due|is scheduled|are scheduled|plans? to|is expected to)\b", re.I)
_REPORTED = re.compile(r"\b(said|says|announced|told|reported|confirmed|released|published|added|was|were|did)\b", re.I)
# After a bare "N日" later in the month than publication, these mark the coming
# day ("18日にも上陸", "11日で11年になるのを前に", "15日も続けられる予定") rather than last month's.
_JA_FUTURE = re.compile(r"^(?:にも|まで)|予定|見込み|見通し|おそれ|方針|予想|を前に|計画|これから|今後")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_SENTENCE_START = re.compile(r"[.!?。！？\n][^.!?。！？\n]*$")


@dataclass(frozen=True)
class Mention:
    surface: str
    offset: int
    value: str  # YYYY-MM-DD
    kind: str
    precision: str = "day"


def _int(s: str) -> int:
    return int(s.translate(_FW))


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _shift_month(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _rest_of_sentence(text: str, start: int) -> str:
    end = _SENTENCE_END.search(text, start)
    return text[start : end.start() if end else len(text)]


def _resolve_ja(m: re.Match[str], text: str, published: date) -> tuple[date | None, str]:
    g = m.groupdict()
    if g["era"]:
        year = ERAS[g["era"]] + (1 if g["era_year"] == "元" else _int(g["era_year"])) - 1
        return _safe(year, _int(g["em"]), _int(g["ed"])), "era"
    if g["y"]:
        return _safe(_int(g["y"]), _int(g["ym"]), _int(g["yd"])), "absolute"
    if g["rel_month"]:
        y, mo = _shift_month(published, {"今月": 0, "先月": -1, "来月": 1}[g["rel_month"]])
        return _safe(y, mo, _int(g["rd"])), "relative_month"
    if g["rel_year"]:
        shift = {"去年": -1, "昨年": -1, "おととし": -2, "一昨年": -2, "今年": 0, "ことし": 0, "来年": 1}
        return _safe(published.year + shift[g["rel_year"]], _int(g["rym"]), _int(g["ryd"])), "relative_year"
    if g["m"]:
        month, day = _int(g["m"]), _int(g["md"])
        near = nearest_year(month, day, published)
        return (_safe(near, month, day) if near else None), "month_day"
    if g["d"]:
        day = _int(g["d"])
        ahead = day - published.day
        if 0 < ahead <= 10 and _JA_FUTURE.search(_rest_of_sentence(text, m.end())):
            return _safe(published.year, published.month, day), "day_of_month"
        if day > published.day:
            y, mo = _shift_month(published, -1)
            return _safe(y, mo, day), "day_of_month"
        return _safe(published.year, published.month, day), "day_of_month"
    return published + timedelta(days=_RELATIVE_WORDS[g["word"]]), "relative_day"


def _resolve_en(m: re.Match[str], text: str, published: date) -> tuple[date | None, str]:
    g = m.groupdict()
    if g["mon"] or g["dmon"]:
        month = _MONTH_NAMES[(g["mon"] or g["dmon"])[:3].lower()]
        day = int(g["mday"] or g["dday"])
        year_text = g["myear"] or g["dyear"]
        if year_text:
            return _safe(int(year_text), month, day), "absolute"
        year = nearest_year(month, day, published)
        return (_safe(year, month, day) if year else None), "month_day"
    if g["wd"]:
        target = _WEEKDAYS.index(g["wd"].lower())
        which = (g["which"] or "").lower()
        sentence = _SENTENCE_START.search(text[: m.start()])
        # The words just before the weekday decide its tense: "will meet on Friday" is ahead,
        # "..., the government announced on Thursday" is behind even after a "will".
        context = (sentence.group(0) if sentence else text[: m.start()])[-40:]
        future = bool(_FUTURE_HINT.search(context)) and not _REPORTED.search(context)
        if which == "next" or (which != "last" and future):
            ahead = (target - published.weekday()) % 7 or 7
            return published + timedelta(days=ahead), "weekday"
        back = (published.weekday() - target) % 7
        if which == "last" and back == 0:
            back = 7
        return published - timedelta(days=back), "weekday"
    return published + timedelta(days=_RELATIVE_WORDS[g["enword"].lower()]), "relative_day"


def find_mentions(text: str, published: date) -> list[Mention]:
    """Every date expression in text, resolved against the publication day (local)."""
    out: list[Mention] = []
    for m in _JA_RE.finditer(text):
        value, kind = _resolve_ja(m, text, published)
        if value is not None:
            out.append(Mention(m.group(0), m.start(), value.isoformat(), kind))
    for m in _EN_RE.finditer(text):
        value, kind = _resolve_en(m, text, published)
        if value is not None:
            out.append(Mention(m.group(0), m.start(), value.isoformat(), kind))
    out.sort(key=lambda x: x.offset)
    # "on Monday, March 14": the weekday takes the explicit date that follows it.
    for i, mention in enumerate(out[:-1]):
        after = out[i + 1]
        gap = text[mention.offset + len(mention.surface) : after.offset]
        if mention.kind == "weekday" and after.kind in {"absolute", "month_day"} and re.fullmatch(r",?\s*", gap):
            out[i] = Mention(mention.surface, mention.offset, after.value, mention.kind)
    return out
