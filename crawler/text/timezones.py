"""Which IANA zone applies to a naive date on a page, and why.

Policy: a site profile's zone wins, then an explicit crawl argument, then one
inferred from the page language or the host's country TLD (flagged as assumed),
else UTC (also assumed).
"""

from __future__ import annotations

from urllib.parse import urlsplit

LANGUAGE_ZONES = {
    "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul",
    "zh": "Asia/Shanghai",
    "de": "Europe/Berlin",
    "fr": "Europe/Paris",
    "it": "Europe/Rome",
    "ru": "Europe/Moscow",
    "id": "Asia/Jakarta",
}
TLD_ZONES = {
    "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
    "cn": "Asia/Shanghai",
    "tw": "Asia/Taipei",
    "uk": "Europe/London",
    "de": "Europe/Berlin",
    "fr": "Europe/Paris",
    "in": "Asia/Kolkata",
}
# Sources whose zone is stated, not guessed.
STATED_SOURCES = {"profile", "argument"}


def infer_timezone(language: str | None, url: str) -> tuple[str, str]:
    """Return (zone, source) for a page that has no profile or argument zone."""
    if language and language in LANGUAGE_ZONES:
        return LANGUAGE_ZONES[language], "language"
    host = urlsplit(url).hostname or ""
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if tld in TLD_ZONES:
        return TLD_ZONES[tld], "tld"
    return "UTC", "default"
