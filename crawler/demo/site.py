"""Render the two demo sites into memory: {path: Resource}.

Everything is deterministic; only absolute URLs in sitemaps and feeds depend
on the base URL the server was bound to.
"""

from __future__ import annotations

import gzip
import html
import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from crawler.demo.content import EN_ARTICLES, EN_AUTHORS, JA_ARTICLES

JA_SITE_NAME = "NHKデモニュース"
EN_SITE_NAME = "The Daily Example"


@dataclass(frozen=True)
class Resource:
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class SeedArticle:
    slug: str
    title: str
    blocks: list[tuple[str, str]]  # (tag, text): tag is "p" or "h2"
    date_signal: str
    datetime: str | None
    byline: str
    expected_published_at: str


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def seed_text() -> str:
    return resources.files("crawler.demo").joinpath("data/nhk_ukraine_2022-03-08.txt").read_text(encoding="utf-8")


def seed_articles() -> list[SeedArticle]:
    """The three NHK articles of the seed, with their repeated runs exactly as the seed has them."""
    lines = seed_text().splitlines()
    spec = json.loads(resources.files("crawler.demo").joinpath("data/seed_articles.json").read_text(encoding="utf-8"))
    out = []
    for a in spec["articles"]:
        first, last = a["lines"]
        blocks = []
        for n in range(first, last + 1):
            text = lines[n - 1].strip()
            if text:
                blocks.append(("h2" if n in a["subheadings"] else "p", text))
        title = a.get("title") or lines[a["title_line"] - 1].strip()
        out.append(
            SeedArticle(
                a["slug"], title, blocks, a["date_signal"], a.get("datetime"), a["byline"], a["expected_published_at"]
            )
        )
    return out


def _ja_visible(iso: str) -> str:
    dt = datetime.fromisoformat(iso)
    return f"{dt.year}年{dt.month}月{dt.day}日 {dt.hour}時{dt.minute:02d}分"


# --- Japanese site (NHK-style markup) --------------------------------------

JA_NAV = (
    '<header class="l-header"><a class="logo" href="/">NHKデモニュース</a><nav><ul>'
    '<li><a href="/">トップ</a></li><li><a href="/news/cat/international.html">国際</a></li>'
    '<li><a href="/news/cat/society.html">社会</a></li><li><a href="/private/drafts.html">編集用</a></li>'
    "</ul></nav></header>"
)
JA_SHARE = (
    '<div class="module--share"><p>この記事をシェアする</p><ul>'
    '<li><a href="https://twitter.com/share">ツイート</a></li><li><a href="https://www.facebook.com/share">シェア</a></li>'
    '<li><a href="https://line.me/share">LINEで送る</a></li></ul></div>'
)
JA_BODY_NOTICE = "この記事は配信時点の情報です。"
JA_VIDEO_NOTICE = "動画を再生するには、JavaScriptを有効にしてください。"
EN_BODY_NOTICE = "Sign up for our morning newsletter and get the day's top stories in your inbox."
JA_FOOTER = (
    '<footer class="l-footer"><p class="leave">NHKのサイトを離れます。よろしいですか。</p>'
    "<ul><li>NHKにおける個人情報保護について</li><li>NHK放送ガイドライン</li><li>受信料の窓口</li></ul>"
    "<p>Copyright NHK (Japan Broadcasting Corporation) All rights reserved. "
    "許可なく転載することを禁じます。</p></footer>"
)


def _ja_page(
    base: str,
    path: str,
    title: str,
    blocks: list[tuple[str, str]],
    signal: str,
    raw: str | None,
    byline: str,
    related: list[tuple[str, str]],
    charset: str = "utf-8",
    charset_tag: str | None = None,
    video_notice: bool = False,
) -> str:
    url = base + path
    head = [f'<meta charset="{charset}">' if charset_tag is None else charset_tag]
    head.append(f"<title>{_e(title)} | NHKデモニュース</title>")
    head.append('<meta property="og:type" content="article">')
    head.append(f'<meta property="og:title" content="{_e(title)}">')
    head.append(f'<meta property="og:site_name" content="{JA_SITE_NAME}">')
    head.append(f'<meta property="og:url" content="{_e(url)}">')
    head.append(f'<meta property="og:image" content="{_e(base)}/news/img/{path.rsplit("/", 1)[-1]}.jpg">')
    head.append(f'<meta name="description" content="{_e(blocks[0][1][:80])}">')
    head.append(f'<link rel="canonical" href="{_e(url)}">')
    date_html = f'<p class="content--date">{_e(byline)}</p>'
    if signal == "json-ld":
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": raw,
            "dateModified": raw,
            "author": {"@type": "Organization", "name": "NHK"},
            "publisher": {"@type": "Organization", "name": JA_SITE_NAME},
            "inLanguage": "ja",
        }
        head.append(f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>')
    elif signal == "meta":
        head.append(f'<meta property="article:published_time" content="{_e(raw or "")}">')
    elif signal == "time":
        date_html = f'<p class="content--date"><time datetime="{_e(raw or "")}">{_e(byline)}</time></p>'
    elif signal in {"sitemap", "feed"}:
        date_html = ""
    body = "\n".join(
        f'<{tag} class="body-{"title" if tag == "h2" else "text"}">{_e(text)}</{tag}>' for tag, text in blocks
    )
    # Boilerplate inside the article body, as real CMSs put it: no extractor can tell it
    # from text on one page; the crawl learns it across pages.
    if video_notice:
        body = f"<p>{JA_VIDEO_NOTICE}</p>\n{body}"
    body += f"\n<p>{JA_BODY_NOTICE}</p>"
    rel = "".join(f'<li><a href="{_e(p)}">{_e(t)}</a></li>' for p, t in related)
    return f"""<!DOCTYPE html>
<html lang="ja"><head>{"".join(head)}</head>
<body>{JA_NAV}{JA_SHARE}
<main><article class="module--detail">
<section class="module--header"><h1 class="content--title">{_e(title)}</h1>{date_html}</section>
<section class="content--detail-body"><div class="body-text">
{body}
</div></section>
{JA_SHARE}
<p class="print-link"><a href="{_e(path)}?print=1">印刷用ページ</a></p>
<section class="module--related"><h2>関連ニュース</h2><ul>{rel}</ul></section>
</article></main>
{JA_FOOTER}</body></html>"""


def _listing_page(lang: str, site: str, title: str, links: list[tuple[str, str]], nav: str, footer: str) -> str:
    items = "".join(f'<article class="teaser"><h3><a href="{_e(p)}">{_e(t)}</a></h3></article>' for p, t in links)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{_e(title)} | {_e(site)}</title>'
        f'<meta property="og:type" content="website"><meta property="og:site_name" content="{_e(site)}"></head>'
        f'<body>{nav}<main><h1>{_e(title)}</h1><section class="list">{items}</section></main>{footer}</body></html>'
    )


def _urlset(entries: list[tuple[str, str | None, str]]) -> str:
    urls = []
    for loc, date, title in entries:
        news = ""
        if date:
            news = (
                "<news:news><news:publication><news:name>NHKデモニュース</news:name><news:language>ja</news:language>"
                f"</news:publication><news:publication_date>{date}</news:publication_date>"
                f"<news:title>{_e(title)}</news:title></news:news>"
            )
        urls.append(f"<url><loc>{_e(loc)}</loc>{news}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(urls) + "</urlset>"
    )


def build_ja_site(base: str) -> dict[str, Resource]:
    pages: dict[str, Resource] = {}
    entries: list[tuple[str, str, list[tuple[str, str]], str, str | None, str]] = []
    for s in seed_articles():
        entries.append((f"/news/html/20220308/{s.slug}.html", s.title, s.blocks, s.date_signal, s.datetime, s.byline))
    for slug, title, paras, signal, raw in JA_ARTICLES:
        byline = raw if signal in {"byline", "date-only"} else _ja_visible(raw)
        day = raw[:10].replace("-", "") if raw[:4].isdigit() and "-" in raw[:10] else "20220310"
        blocks = [("p", p) for p in paras]
        entries.append((f"/news/html/{day}/{slug}.html", title, blocks, signal, raw, byline))
    # Articles dated only by the sitemap are linked from nowhere else, so the
    # crawl always reaches them through the sitemap and keeps its date.
    linked = [(e[0], e[1]) for e in entries if e[3] != "sitemap"]
    for i, (path, title, blocks, signal, when, byline) in enumerate(entries):
        related = [linked[(i + k) % len(linked)] for k in (1, 2, 3)]
        sig = "byline" if signal == "date-only" else signal
        page = _ja_page(base, path, title, blocks, sig, when, byline, related, video_notice=i % 2 == 1)
        pages[path] = Resource(200, "text/html; charset=utf-8", page.encode("utf-8"))

    # Pages that declare their legacy charset only in a <meta> tag.
    sjis_title = "老舗旅館 創業300年を記念して特別公開"
    sjis_blocks = [
        ("p", "創業300年を迎えた京都の老舗旅館が、普段は非公開の庭園を特別に公開しています。"),
        ("p", "庭園には江戸時代に植えられたとされる松があり、訪れた人たちが写真に収めていました。"),
    ]
    sjis = _ja_page(
        base,
        "/news/html/20220311/k10013520101.html",
        sjis_title,
        sjis_blocks,
        "byline",
        None,
        "2022年3月11日 11時11分",
        linked[:2],
        charset_tag='<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">',
    )
    pages["/news/html/20220311/k10013520101.html"] = Resource(200, "text/html", sjis.encode("shift_jis"))
    euc_title = "漁港でサワラの水揚げ最盛期"
    euc_blocks = [
        ("p", "富山県の漁港で、春を告げる魚、サワラの水揚げが最盛期を迎えています。"),
        ("p", "11日朝はおよそ2トンが水揚げされ、市場は威勢のいい掛け声に包まれました。"),
    ]
    euc = _ja_page(
        base,
        "/news/html/20220311/k10013520102.html",
        euc_title,
        euc_blocks,
        "byline",
        None,
        "2022年3月11日 7時45分",
        linked[:2],
        charset_tag='<meta charset="EUC-JP">',
    )
    pages["/news/html/20220311/k10013520102.html"] = Resource(200, "text/html", euc.encode("euc_jp"))
    # A server that declares UTF-8 in the header for a Shift_JIS page, with no <meta> charset.
    wrong_title = "商店街で春の大売り出し始まる"
    wrong_blocks = [("p", "地元の商店街で、恒例の春の大売り出しが始まり、大勢の買い物客でにぎわっています。"),
                    ("p", "期間中は、およそ80の店舗が割引や抽選会などを行うということです。")]  # fmt: skip
    wrong = _ja_page(base, "/news/html/20220311/k10013520103.html", wrong_title, wrong_blocks, "byline", None,
                     "2022年3月11日 10時30分", linked[:2], charset_tag="")  # fmt: skip
    pages["/news/html/20220311/k10013520103.html"] = Resource(
        200, "text/html; charset=utf-8", wrong.encode("shift_jis")
    )
    legacy = [
        ("/news/html/20220311/k10013520101.html", sjis_title),
        ("/news/html/20220311/k10013520102.html", euc_title),
        ("/news/html/20220311/k10013520103.html", wrong_title),
    ]

    half = len(entries) // 2
    news_entries = [
        (base + e[0], e[4] if e[3] in {"sitemap", "json-ld", "meta", "time"} else None, e[1]) for e in entries[:half]
    ]
    archive_entries = [(base + e[0], e[4] if e[3] == "sitemap" else None, e[1]) for e in entries[half:]]
    archive_entries += [(base + p, None, t) for p, t in legacy]
    pages["/sitemaps/news.xml"] = Resource(200, "application/xml", _urlset(news_entries).encode("utf-8"))
    pages["/sitemaps/archive.xml.gz"] = Resource(
        200, "application/gzip", gzip.compress(_urlset(archive_entries).encode("utf-8"), mtime=0)
    )
    pages["/sitemap.xml"] = Resource(
        200,
        "application/xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemaps/news.xml</loc></sitemap>"
            f"<sitemap><loc>{base}/sitemaps/archive.xml.gz</loc></sitemap></sitemapindex>"
        ).encode(),
    )
    pages["/"] = Resource(
        200,
        "text/html; charset=utf-8",
        _listing_page("ja", JA_SITE_NAME, "NHKデモニュース トップ", linked[:8], JA_NAV, JA_FOOTER).encode("utf-8"),
    )
    pages["/news/cat/international.html"] = Resource(
        200,
        "text/html; charset=utf-8",
        _listing_page("ja", JA_SITE_NAME, "国際ニュース", linked[:3] + linked[6:9], JA_NAV, JA_FOOTER).encode("utf-8"),
    )
    pages["/news/cat/society.html"] = Resource(
        200,
        "text/html; charset=utf-8",
        _listing_page("ja", JA_SITE_NAME, "社会ニュース", linked[8:], JA_NAV, JA_FOOTER).encode("utf-8"),
    )
    pages["/private/drafts.html"] = Resource(
        200,
        "text/html; charset=utf-8",
        _ja_page(
            base,
            "/private/drafts.html",
            "未公開の原稿",
            [("p", "この原稿は公開前のものです。クローラーは読んではいけません。")],
            "byline",
            None,
            "2022年3月12日 0時00分",
            [],
        ).encode("utf-8"),
    )
    pages["/robots.txt"] = Resource(200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
    return pages


# --- English site ------------------------------------------------------------

EN_NAV = (
    '<header><a class="brand" href="/">The Daily Example</a><nav><a href="/">Home</a> '
    '<a href="/world/">World</a> <a href="/business/">Business</a> <a href="/subscribe">Subscribe</a></nav></header>'
)
EN_FOOTER = (
    "<footer><p>Sign up for our morning newsletter and get the day's top stories in your inbox.</p>"
    "<p>© 2022 The Daily Example. All rights reserved.</p>"
    '<p><a href="/about">About us</a> · <a href="/privacy">Privacy</a></p></footer>'
)
EN_SHARE = (
    '<div class="share-tools"><span>Share this article:</span> <a href="#fb">Facebook</a> '
    '<a href="#tw">Twitter</a> <a href="#mail">Email</a></div>'
)


def _author_path(author: str) -> str:
    return "/authors/" + author.lower().replace(" ", "-")


def _en_page(
    base: str,
    path: str,
    title: str | None,
    paras: list[str],
    signal: str,
    raw: str | None,
    author: str,
    related: list[tuple[str, str]],
    section: str = "World",
) -> str:
    url = base + path
    head = ['<meta charset="utf-8">']
    if title:
        head.append(f"<title>{_e(title)} - The Daily Example</title>")
        head.append(f'<meta property="og:title" content="{_e(title)}">')
    head += [
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{EN_SITE_NAME}">',
        f'<meta property="article:section" content="{section}">',
        f'<link rel="canonical" href="{_e(url)}">',
    ]
    date_html = ""
    if signal == "json-ld":
        ld = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "name": EN_SITE_NAME, "url": base + "/"},
                {
                    "@type": "NewsArticle",
                    "headline": title,
                    "datePublished": raw,
                    "author": [{"@type": "Person", "name": author}],
                    "articleSection": section,
                    "image": {"@type": "ImageObject", "url": f"{base}/img/{path.rsplit('/', 1)[-1]}.jpg"},
                    "inLanguage": "en-US",
                },
            ],
        }
        head.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    elif signal == "meta":
        head.append(f'<meta property="article:published_time" content="{_e(raw or "")}">')
    elif signal == "time":
        date_html = f'<time datetime="{_e(raw or "")}">{_e((raw or "")[:10])}</time>'
    elif signal in {"byline", "date-only"}:
        date_html = f'<span class="date">Published {_e(raw or "")}</span>'
    if signal != "json-ld":
        head.append(f'<meta name="author" content="{_e(author)}">')
    h1 = f"<h1>{_e(title)}</h1>" if title else ""
    body = "\n".join(f"<p>{_e(p)}</p>" for p in paras)
    if paras:
        body += f"\n<p>{EN_BODY_NOTICE}</p>"
    rel = "".join(f'<li><a href="{_e(p)}">{_e(t)}</a></li>' for p, t in related)
    return f"""<!DOCTYPE html>
<html lang="en"><head>{"".join(head)}</head>
<body>{EN_NAV}
<main><article>
{h1}<div class="byline">By <a rel="author" href="{_author_path(author)}">{_e(author)}</a> {date_html}</div>
{EN_SHARE}
<div class="article-body">
{body}
</div>
<aside class="related"><h2>Related stories</h2><ul>{rel}</ul></aside>
</article></main>
{EN_FOOTER}</body></html>"""


def build_en_site(base: str) -> dict[str, Resource]:
    pages: dict[str, Resource] = {}
    titles = [(f"/{slug}.html", title) for slug, title, *_ in EN_ARTICLES]
    # Articles dated only by a feed are linked from no page, so the crawl
    # always reaches them through the feed and keeps the feed's date.
    feed_only = {f"/{a[0]}.html" for a in EN_ARTICLES if a[3] in {"feed", "atom"}}
    linked = [t for t in titles if t[0] not in feed_only]
    for i, (slug, title, paras, signal, raw) in enumerate(EN_ARTICLES):
        path = f"/{slug}.html"
        related = [linked[(i + k) % len(linked)] for k in (1, 2, 3)]
        section = "Business" if i % 3 == 1 else "World"
        page = _en_page(base, path, title, paras, signal, raw, EN_AUTHORS[i % len(EN_AUTHORS)], related, section)
        pages[path] = Resource(200, "text/html; charset=utf-8", page.encode("utf-8"))

    bad = {
        "/2022/03/12/untitled.html": _en_page(
            base,
            "/2022/03/12/untitled.html",
            None,
            [
                "This page lost its headline in a publishing error, but the text survived in full.",
                "A page without a title cannot be stored as an article, so the crawler drops it with a reason.",
            ],
            "meta",
            "2022-03-12T09:00:00Z",
            "Jane Doe",
            [],
        ),
        "/2022/03/12/empty.html": _en_page(
            base,
            "/2022/03/12/empty.html",
            "Live: markets open",
            [],
            "json-ld",
            "2022-03-12T09:30:00-05:00",
            "Tom Becker",
            [],
        ),
        "/opinion/parking-fees.html": _en_page(
            base,
            "/opinion/parking-fees.html",
            "Council delays vote on parking fees",
            [
                "The city council postponed its vote on new parking fees until next month after a long public hearing.",
                "Several shop owners said the proposed charges would drive customers to out-of-town retail parks.",
                "The council's transport committee will publish a revised plan before the next meeting.",
            ],
            "meta",
            "sometime last spring",
            "Priya Raman",
            linked[:2],
        ),
    }
    for path, page in bad.items():
        pages[path] = Resource(200, "text/html; charset=utf-8", page.encode("utf-8"))
    pages["/2022/03/12/blank.html"] = Resource(200, "text/html; charset=utf-8", b"")
    pages["/reports/annual-report.pdf"] = Resource(200, "application/pdf", b"%PDF-1.4\n% demo\n")
    pages["/live/blog.html"] = Resource(500, "text/html", b"<h1>Internal Server Error</h1>")

    # The same wire story under a second URL, with an agency credit: a near-duplicate to link.
    slug, title, paras, _, raw = EN_ARTICLES[0]
    wire = "/2022/03/08/wire-rates-decision.html"
    pages[wire] = Resource(200, "text/html; charset=utf-8", _en_page(
        base, wire, f"{title} (wire)", [*paras, "(Reporting by Wire Service staff)"], "json-ld",
        "2022-03-08T11:40:00-05:00", EN_AUTHORS[0], linked[:2], "Business").encode("utf-8"))  # fmt: skip
    home_links = (
        [(wire, "Rates: the wire story")]
        + linked[:10]
        + [(p, "Extra") for p in bad]
        + [
            ("/reports/annual-report.pdf", "Annual report (PDF)"),
            ("/2022/03/12/blank.html", "A page that came back empty"),
            ("/live/blog.html", "Live blog"),
            ("/2021/01/01/removed-story.html", "A story that was taken down"),
        ]
    )
    pages["/"] = Resource(
        200,
        "text/html; charset=utf-8",
        _listing_page("en", EN_SITE_NAME, "Top stories", home_links, EN_NAV, EN_FOOTER).encode("utf-8"),
    )
    pages["/world/"] = Resource(
        200,
        "text/html; charset=utf-8",
        _listing_page("en", EN_SITE_NAME, "World", linked[::2], EN_NAV, EN_FOOTER).encode("utf-8"),
    )
    pages["/business/"] = Resource(
        200,
        "text/html; charset=utf-8",
        _listing_page("en", EN_SITE_NAME, "Business", linked[1::2], EN_NAV, EN_FOOTER).encode("utf-8"),
    )

    items = []
    for slug, title, _paras, signal, raw in EN_ARTICLES:
        if signal == "atom":
            continue
        pub = raw if signal == "feed" else None
        pub_xml = f"<pubDate>{pub}</pubDate>" if pub else ""
        items.append(f"<item><title>{_e(title)}</title><link>{base}/{slug}.html</link>{pub_xml}</item>")
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>The Daily Example</title>'
        f"<link>{base}/</link><description>Top stories</description>{''.join(items)}</channel></rss>"
    )
    pages["/feed.rss"] = Resource(200, "application/rss+xml", rss.encode("utf-8"))
    entries = []
    for slug, title, _paras, signal, raw in EN_ARTICLES:
        if signal == "atom":
            entries.append(
                f'<entry><title>{_e(title)}</title><link rel="alternate" href="{base}/{slug}.html"/>'
                f"<id>{base}/{slug}.html</id><published>{raw}</published><updated>{raw}</updated></entry>"
            )
    atom = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>The Daily Example: business</title><id>{base}/atom.xml</id>{''.join(entries)}</feed>"
    )
    pages["/atom.xml"] = Resource(200, "application/atom+xml", atom.encode("utf-8"))
    for author in EN_AUTHORS:
        mine = [linked[i] for i in range(len(linked)) if EN_AUTHORS[i % len(EN_AUTHORS)] == author]
        pages[_author_path(author)] = Resource(
            200,
            "text/html; charset=utf-8",
            _listing_page("en", EN_SITE_NAME, f"Stories by {author}", mine, EN_NAV, EN_FOOTER).encode("utf-8"),
        )
    for path, title in (("/about", "About us"), ("/privacy", "Privacy")):
        pages[path] = Resource(
            200,
            "text/html; charset=utf-8",
            _listing_page("en", EN_SITE_NAME, title, [], EN_NAV, EN_FOOTER).encode("utf-8"),
        )
    pages["/robots.txt"] = Resource(200, "text/plain", b"User-agent: *\nDisallow: /subscribe\n")
    return pages
