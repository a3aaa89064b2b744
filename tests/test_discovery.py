from __future__ import annotations

import gzip
import re

import pytest

from crawler.discovery.feeds import Entry, maybe_gunzip, parse_listing, sniff_kind
from crawler.discovery.links import should_follow, skip_reason
from crawler.discovery.urls import canonicalize, site_key, storage_url, strip_fragment
from crawler.profiles import profile_for_url

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://ex.jp/news/1.html</loc>
    <news:news><news:publication><news:name>Ex</news:name><news:language>ja</news:language></news:publication>
      <news:publication_date>2022-03-08T05:12:00+09:00</news:publication_date><news:title>T1</news:title></news:news>
  </url>
  <url><loc> https://ex.jp/news/2.html </loc><lastmod>2022-03-09</lastmod></url>
  <url><lastmod>2022-03-09</lastmod></url>
</urlset>"""
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://ex.jp/a.xml</loc></sitemap><sitemap><loc>https://ex.jp/b.xml.gz</loc></sitemap></sitemapindex>"""
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
<item><title>One</title><link>https://ex.com/1</link><pubDate>Tue, 08 Mar 2022 05:12:00 +0900</pubDate></item>
<item><title>No link</title></item>
<item><title>Two</title><link>https://ex.com/2</link></item></channel></rss>"""
RSS1 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
xmlns:dc="http://purl.org/dc/elements/1.1/"><item rdf:about="https://ex.jp/r/1"><title>R</title><link>https://ex.jp/r/1</link>
<dc:date>2022-03-08T05:12:00+09:00</dc:date></item></rdf:RDF>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>A</title><link rel="alternate" href="https://ex.com/a"/><published>2022-03-10T08:00:00-05:00</published></entry>
<entry><title>B</title><link href="https://ex.com/b"/><updated>2022-03-11T08:00:00Z</updated></entry></feed>"""


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (URLSET, "urlset"),
        (INDEX, "sitemapindex"),
        (RSS, "rss"),
        (RSS1, "rss"),
        (ATOM, "atom"),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- c --><urlset/>", "urlset"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        (b"", "html"),
        (b"\x00\x01binary", "html"),
    ],
)
def test_sniff_kind(body: bytes, kind: str) -> None:
    assert sniff_kind(body) == kind


def test_urlset_keeps_google_news_dates() -> None:
    listing = parse_listing(URLSET)
    assert listing.kind == "urlset"
    assert listing.entries == [
        Entry("https://ex.jp/news/1.html", "2022-03-08T05:12:00+09:00", "sitemap:news:publication_date", "T1"),
        Entry("https://ex.jp/news/2.html", None, None, None, "2022-03-09"),  # lastmod: when it changed
    ]


def test_gzipped_sitemap_index() -> None:
    listing = parse_listing(gzip.compress(INDEX))
    assert listing.kind == "sitemapindex"
    assert [e.url for e in listing.entries] == ["https://ex.jp/a.xml", "https://ex.jp/b.xml.gz"]


def test_feeds() -> None:
    rss = parse_listing(RSS)
    assert [(e.url, e.published_raw) for e in rss.entries] == [
        ("https://ex.com/1", "Tue, 08 Mar 2022 05:12:00 +0900"),
        ("https://ex.com/2", None),
    ]
    assert parse_listing(RSS1).entries[0].published_raw == "2022-03-08T05:12:00+09:00"
    atom = parse_listing(ATOM)
    assert [(e.url, e.published_raw, e.published_source) for e in atom.entries] == [
        ("https://ex.com/a", "2022-03-10T08:00:00-05:00", "feed:published"),
        ("https://ex.com/b", "2022-03-11T08:00:00Z", "feed:updated"),
    ]


def test_html_is_not_a_listing() -> None:
    with pytest.raises(ValueError):
        parse_listing(b"<html><body>hi</body></html>")


def test_entities_are_not_expanded() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://ex.jp/&x;</loc></url></urlset>"""
    listing = parse_listing(xxe)
    assert all("root:" not in e.url for e in listing.entries)


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (2 * 1024 * 1024))
    with pytest.raises(ValueError):
        maybe_gunzip(bomb, max_size=1024 * 1024)


def test_truncated_xml_is_read_as_far_as_possible() -> None:
    listing = parse_listing(URLSET[: URLSET.index(b"</url>") + 6])
    assert listing.entries[0].url == "https://ex.jp/news/1.html"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8701/news/1.html", True),
        ("http://127.0.0.1:8702/news/1.html", False),  # another port is another site
        ("https://www3.nhk.or.jp/news/html/1.html", True),
        ("https://nhk.or.jp/news/html/1.html", False),
        ("mailto:a@b.c", False),
        ("http://127.0.0.1:8701/img/a.jpg", False),
        ("http://127.0.0.1:8701/private/x.html", False),
    ],
)
def test_should_follow(url: str, expected: bool) -> None:
    hosts = {"127.0.0.1:8701", "www3.nhk.or.jp"}
    assert should_follow(url, hosts, [], [re.compile("/private/")]) is expected


@pytest.mark.parametrize(
    ("url", "hosts"),
    [
        ("https://www.example.com/a", {"example.com"}),
        ("https://example.com/a", {"www.example.com"}),
        ("https://www.example.com:8443/a", {"example.com:8443"}),
    ],
)
def test_www_and_bare_host_are_one_site(url: str, hosts: set[str]) -> None:
    assert should_follow(url, hosts, [], [])


def test_allow_patterns_and_fragments() -> None:
    allow = [re.compile(r"/news/")]
    assert should_follow("https://a.com/news/x", {"a.com"}, allow, [])
    assert not should_follow("https://a.com/shop/x", {"a.com"}, allow, [])
    assert should_follow("https://sub.a.com/news/x", {"a.com"}, allow, [])
    assert strip_fragment("https://a.com/x#top") == "https://a.com/x"
    assert strip_fragment("https://a.com") == "https://a.com/"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://WWW.Example.com:443/news/a.html?utm_source=x&b=2&a=1#top", "https://example.com/news/a.html?a=1&b=2"),
        ("https://example.com/news/a.html/amp", "https://example.com/news/a.html"),
        ("https://example.com/amp/news/a.html", "https://example.com/news/a.html"),
        ("https://example.com/news/a.html?outputType=amp", "https://example.com/news/a.html"),
        ("http://127.0.0.1:8701/x?print=1", "http://127.0.0.1:8701/x"),
        ("https://example.com/story?id=5&fbclid=abc&gclid=d", "https://example.com/story?id=5"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://www.co.jp/a", "https://www.co.jp/a"),  # "www" is the registered name here
        ("https://example.com/from?from=2022", "https://example.com/from?from=2022"),
    ],
)
def test_canonicalize(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical


@pytest.mark.parametrize(
    ("fetched", "declared", "stored"),
    [
        ("https://example.com/print/a?x=1", "https://www.example.com/a", "https://example.com/a"),
        ("https://example.com/a", "https://example.com/", "https://example.com/a"),  # front page: ignored
        ("https://example.com/a", "https://other.com/a", "https://example.com/a"),  # other site: ignored
        ("https://example.com/a?utm_medium=rss", None, "https://example.com/a"),
        ("https://example.com/a", "javascript:void(0)", "https://example.com/a"),
    ],
)
def test_storage_url(fetched: str, declared: str | None, stored: str) -> None:
    assert storage_url(fetched, declared) == stored


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # Japanese paths: the UTF-8 spelling and Scrapy's percent-encoded one are one key
        ("https://example.jp/news/記事.html", "https://example.jp/news/%E8%A8%98%E4%BA%8B.html"),
        ("https://example.jp/news/%E8%A8%98%E4%BA%8B.html", "https://example.jp/news/%E8%A8%98%E4%BA%8B.html"),
        ("https://example.jp/news/%e8%a8%98%e4%ba%8b.html", "https://example.jp/news/%E8%A8%98%E4%BA%8B.html"),
        ("https://Example.jp:443/a/../b/", "https://example.jp/b/"),
        ("https://example.jp/a/./b/../c.html", "https://example.jp/a/c.html"),
        ("http://BÜCHER.de/x", "http://xn--bcher-kva.de/x"),
        ("https://example.jp/search?q=停戦&utm_source=x", "https://example.jp/search?q=%E5%81%9C%E6%88%A6"),
    ],
)
def test_canonical_form_is_w3lib_plus_our_folding(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical


def test_relative_canonical_is_resolved_against_the_page() -> None:
    assert storage_url("https://ex.jp/news/a/1.html", "../b/2.html") == "https://ex.jp/news/b/2.html"
    assert storage_url("https://ex.jp/news/1.html?x=1", "/news/1.html") == "https://ex.jp/news/1.html"
    assert storage_url("https://ex.jp/news/1.html", "//other.example/1.html") == "https://ex.jp/news/1.html"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www3.nhk.or.jp/news/html/1.html", "nhk.or.jp"),
        ("https://www.asahi.com/articles/1.html", "asahi.com"),
        ("https://news.bbc.co.uk/x", "bbc.co.uk"),
        ("http://127.0.0.1:8702/2022/03/08/a.html", "127.0.0.1:8702"),
        ("http://localhost:8000/a", "localhost:8000"),
        # Under the public suffix list's private part, each blog or hosted site is its own.
        ("https://juliasleseblog.blogspot.com/2018/08/irland-roadtrip.html", "juliasleseblog.blogspot.com"),
        ("https://someone.github.io/posts/1", "someone.github.io"),
    ],
)
def test_site_key_is_the_registrable_domain(url: str, key: str) -> None:
    assert site_key(url) == key


def test_profile_is_chosen_by_host_and_local_port() -> None:
    assert profile_for_url("https://www3.nhk.or.jp/news/html/20220308/k1.html").name == "nhk"  # type: ignore[union-attr]
    assert profile_for_url("http://127.0.0.1:8701/news/x.html").name == "demo-nhk"  # type: ignore[union-attr]
    assert profile_for_url("http://127.0.0.1:8702/x.html") is None  # another local site
    assert profile_for_url("https://example.com/") is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8701/news/1.html", None),
        ("ftp://127.0.0.1:8701/news/1.html", "not_http"),
        ("http://127.0.0.1:8702/news/1.html", "offsite"),
        ("http://127.0.0.1:8701/img/a.jpg", "file_type"),
        ("http://127.0.0.1:8701/private/x.html", "denied"),
        ("http://127.0.0.1:8701/shop/x.html", "not_allowed"),
    ],
)
def test_skip_reason_says_why_a_listed_url_is_not_fetched(url: str, reason: str | None) -> None:
    allow, deny = [re.compile("/news/|/private/|/img/")], [re.compile("/private/")]
    assert skip_reason(url, {"127.0.0.1:8701"}, allow, deny) == reason
