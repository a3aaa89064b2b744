"""Which links and listed URLs a crawl fetches: hosts, allow/deny patterns, file types."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# Links that are never pages worth fetching as articles or listings.
SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|json|mp3|mp4|m4a|mov|avi|webm|zip|gz|tar|exe|dmg|woff2?|ttf|eot)$",
    re.IGNORECASE,
)


def matches_any(url: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    return any(p.search(url) for p in patterns)


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def on_hosts(host_port: str, hostname: str, hosts: set[str]) -> bool:
    """hosts holds "host:port" (ad-hoc crawls) or domains (profiles: subdomains too).

    "www." is ignored on both sides: a start URL on the bare host that redirects to
    www (or a sitemap that lists the other form) stays on the site.
    """
    host_port, hostname = _bare(host_port), _bare(hostname)
    for h in map(_bare, hosts):
        if host_port == h or hostname == h or hostname.endswith("." + h):
            return True
    return False


def should_follow(
    url: str,
    hosts: set[str],
    allow: list[re.Pattern[str]],
    deny: list[re.Pattern[str]],
    check_extension: bool = True,
) -> bool:
    """True for http(s) links on one of hosts that pass the allow/deny patterns.

    check_extension skips images, scripts and archives; sitemap indexes turn it
    off because their children are often `.xml.gz`.
    """
    return skip_reason(url, hosts, allow, deny, check_extension) is None


def skip_reason(
    url: str,
    hosts: set[str],
    allow: list[re.Pattern[str]],
    deny: list[re.Pattern[str]],
    check_extension: bool = True,
) -> str | None:
    """Why a URL is not fetched ("not_http", "offsite", "file_type", "denied", "not_allowed"), or
    None when it is (see should_follow)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return "not_http"
    if hosts and not on_hosts(parts.netloc.lower(), parts.hostname or "", hosts):
        return "offsite"
    if check_extension and SKIP_EXTENSIONS.search(parts.path):
        return "file_type"
    if deny and matches_any(url, deny):
        return "denied"
    return None if not allow or matches_any(url, allow) else "not_allowed"
