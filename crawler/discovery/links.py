"""Link filtering and URL normalisation for following pages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

# Links that are never pages worth fetching as articles or listings.
SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|json|mp3|mp4|m4a|mov|avi|webm|zip|gz|tar|exe|dmg|woff2?|ttf|eot)$",
    re.IGNORECASE,
)


def strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


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
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return False
    if hosts and not on_hosts(parts.netloc.lower(), parts.hostname or "", hosts):
        return False
    if check_extension and SKIP_EXTENSIONS.search(parts.path):
        return False
    if deny and matches_any(url, deny):
        return False
    return not allow or matches_any(url, allow)


TRACKING_PARAMS = re.compile(
    r"^(?:utm_[a-z_]+|fbclid|gclid|dclid|yclid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl|ref|ref_src|ref_url|cmpid"
    r"|ocid|spm|smid|cmp|s_cid|at_medium|at_campaign|ito|outputtype|print|amp)$",
    re.IGNORECASE,
)
_PUBLIC_SUFFIX_LIKE = re.compile(r"^[a-z]{2,3}\.[a-z]{2}$")
_PRINT_AMP_PATH = re.compile(r"(?:/(?:amp|print))+/?$|/(?:amp|print)(?=/)", re.IGNORECASE)


def canonicalize(url: str) -> str:
    """One URL per story: lower-case scheme and host, no "www.", no default port, no fragment,
    no tracking parameters (utm_*, fbclid, ...), print/AMP variants folded, query sorted.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    rest = host[4:]
    # "www.example.co.jp" -> "example.co.jp", but "www.co.jp" is a registered name itself.
    if host.startswith("www.") and "." in rest and not _PUBLIC_SUFFIX_LIKE.match(rest):
        host = rest
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = _PRINT_AMP_PATH.sub("", parts.path) or "/"
    query = "&".join(
        sorted(pair for pair in parts.query.split("&") if pair and not TRACKING_PARAMS.match(pair.split("=", 1)[0]))
    )
    return urlunsplit((scheme, host, path, query, ""))


def same_site(a: str, b: str) -> bool:
    """Same host once "www." is ignored (a page's rel=canonical may be trusted then)."""
    ha, hb = (urlsplit(u).netloc.lower().removeprefix("www.") for u in (a, b))
    return ha == hb


def storage_url(fetched: str, declared_canonical: str | None) -> str:
    """The key an article is stored under: its declared canonical URL when that stays on the
    same site and is not the site's front page (some sites point every page there), else the
    fetched URL; canonicalised either way."""
    if declared_canonical:
        parts = urlsplit(declared_canonical)
        if parts.scheme in {"http", "https"} and same_site(fetched, declared_canonical) and parts.path not in {"", "/"}:
            return canonicalize(declared_canonical)
    return canonicalize(fetched)
