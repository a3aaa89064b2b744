"""URL canonical form, the storage key of an article, and the stable key of a site.

w3lib does the standard part (percent-encoding of non-ASCII paths and queries,
IDNA hosts, lower-case scheme and host, dot segments, sorted query, no
fragment); on top of it we fold what news sites vary without changing the
story: default ports, "www.", tracking parameters, print and AMP variants.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

TRACKING_PARAMS = re.compile(
    r"^(?:utm_[a-z_]+|fbclid|gclid|dclid|yclid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl|ref|ref_src|ref_url|cmpid"
    r"|ocid|spm|smid|cmp|s_cid|at_medium|at_campaign|ito|outputtype|print|amp)$",
    re.IGNORECASE,
)
_PUBLIC_SUFFIX_LIKE = re.compile(r"^[a-z]{2,3}\.[a-z]{2}$")
_PRINT_AMP_PATH = re.compile(r"(?:/(?:amp|print))+/?$|/(?:amp|print)(?=/)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# The public suffix list bundled with tldextract: no download at run time. Its private part too:
# each blog on blogspot.com, each site on github.io or herokuapp.com is a publisher of its own
# (its boilerplate, its title affixes, its page budget), not one site with all the others.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


@lru_cache(maxsize=65536)
def canonicalize(url: str) -> str:
    """One URL per story: w3lib's canonical form, then no "www.", no default port, no tracking
    parameters (utm_*, fbclid, ...), print/AMP variants folded."""
    try:
        url = canonicalize_url(url.strip(), keep_blank_values=True)
    except ValueError:  # an unparseable host or port: keep what we have, minus the fragment
        url = strip_fragment(url.strip())
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    rest = host[4:]
    # "www.example.co.jp" -> "example.co.jp", but "www.co.jp" is a registered name itself.
    if host.startswith("www.") and "." in rest and not _PUBLIC_SUFFIX_LIKE.match(rest):
        host = rest
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = _PRINT_AMP_PATH.sub("", parts.path) or "/"
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not TRACKING_PARAMS.match(pair.split("=", 1)[0])
    )
    return urlunsplit((scheme, host, path, query, ""))


def same_site(a: str, b: str) -> bool:
    """Same host once "www." and default ports are ignored (a page's rel=canonical may be trusted then)."""
    return urlsplit(canonicalize(a)).netloc == urlsplit(canonicalize(b)).netloc


def storage_url(fetched: str, declared_canonical: str | None) -> str:
    """The key an article is stored under: its declared canonical URL (resolved against the page
    URL when relative) when that stays on the same site and is not the site's front page (some
    sites point every page there), else the fetched URL; canonicalised either way."""
    if declared_canonical:
        resolved = urljoin(fetched, declared_canonical.strip())
        parts = urlsplit(resolved)
        if parts.scheme in {"http", "https"} and same_site(fetched, resolved) and parts.path not in {"", "/"}:
            return canonicalize(resolved)
    return canonicalize(fetched)


@lru_cache(maxsize=4096)
def is_public_suffix(host: str) -> bool:
    """Whether a host name is itself a public suffix ("blogspot.com", "github.io", "co.uk"): no
    registrable name of its own."""
    extracted = _EXTRACT(host.lower())
    return not extracted.domain and bool(extracted.suffix)


def site_key(url: str) -> str:
    """The stable key of an ad-hoc site: the registrable domain ("nhk.or.jp" for
    www3.nhk.or.jp, "juliasleseblog.blogspot.com" for a blog there), or host:port for an IP
    address or a single-label host, where the port tells two local sites apart."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    extracted = _EXTRACT(host)
    if extracted.domain and extracted.suffix:
        return f"{extracted.domain}.{extracted.suffix}"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def start_url_problem(url: str) -> str | None:
    """Why a URL cannot start a crawl (one line for the user), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        return f"start URL {url!r} is not an http(s) URL with a host (e.g. https://example.com/)"
    return None


def profile_name_for(text: str) -> str:
    """A valid profile (and file) name made of a site key or host: "town-herald.example" ->
    "town-herald-example"."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "site"
