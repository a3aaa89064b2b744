"""Which IANA zone applies to a naive date on a page, and why: the whole policy, here.

A site profile's zone wins, then an explicit crawl argument (`-a tz`), then the
NEWS_DEFAULT_TIMEZONE setting, then one inferred from the page language or the
host's country TLD (flagged as assumed), else UTC (also assumed).
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
    "fi": "Europe/Helsinki",
    "pl": "Europe/Warsaw",
    "nl": "Europe/Amsterdam",
    "sv": "Europe/Stockholm",
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
    "es": "Europe/Madrid",
    "it": "Europe/Rome",
    "at": "Europe/Vienna",
    "ch": "Europe/Zurich",
    "nl": "Europe/Amsterdam",
    "be": "Europe/Brussels",
    "pl": "Europe/Warsaw",
    "fi": "Europe/Helsinki",
    "se": "Europe/Stockholm",
    "no": "Europe/Oslo",
    "dk": "Europe/Copenhagen",
    "pt": "Europe/Lisbon",
    "ru": "Europe/Moscow",
    "br": "America/Sao_Paulo",
    "ar": "America/Argentina/Buenos_Aires",
    "mx": "America/Mexico_City",
    "co": "America/Bogota",
    "pe": "America/Lima",
    "cl": "America/Santiago",
    "bo": "America/La_Paz",
    "au": "Australia/Sydney",
    "nz": "Pacific/Auckland",
    "sg": "Asia/Singapore",
    "hk": "Asia/Hong_Kong",
}
# Sources whose zone is stated by the user, not guessed.
STATED_SOURCES = {"profile", "argument", "setting"}


def stated_zone(profile_tz: str | None, argument_tz: str | None) -> tuple[str | None, str | None]:
    """The zone the crawl states for its pages (the spider puts it on the item), or (None, None)."""
    if profile_tz:
        return profile_tz, "profile"
    if argument_tz:
        return argument_tz, "argument"
    return None, None


def resolve_timezone(
    stated: str | None, stated_source: str | None, setting_tz: str | None, language: str | None, url: str
) -> tuple[str, str]:
    """(zone, source) for one article: stated by the crawl, else the setting, else inferred."""
    if stated:
        return stated, stated_source or "argument"
    if setting_tz:
        return setting_tz, "setting"
    return infer_timezone(language, url)


def infer_timezone(language: str | None, url: str) -> tuple[str, str]:
    """Return (zone, source) for a page that has no profile or argument zone."""
    if language and language in LANGUAGE_ZONES:
        return LANGUAGE_ZONES[language], "language"
    host = urlsplit(url).hostname or ""
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if tld in TLD_ZONES:
        return TLD_ZONES[tld], "tld"
    return "UTC", "default"
