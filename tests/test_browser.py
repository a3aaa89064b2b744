"""A reader in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`) on the
served demo database: search 停戦 in Japanese, see the seed article first with the word
highlighted, filter the article list with its search box, open the chart page; open a Japanese
and an English article's page for reading at a desktop's and a phone's width. Screenshots go to
the test's temporary folder (docs/make_screenshots.py keeps those of docs/).
Skipped where Chromium is not installed, except in CI (`CI` set),
where `.ci/run` installs it and its absence is a failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.test_serve_export import free_port, start_serve

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium and chromium-driver (.ci/run installs them)")
    pytest.skip("chromium / chromedriver not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture()
def browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                f"--user-data-dir={tmp_path / 'profile'}", "--no-first-run", "--disable-gpu"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_reader_searches_japanese_and_opens_the_chart(demo_db: tuple[Path, str], tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "news.db"
    db.write_bytes(demo_db[0].read_bytes())
    port = free_port()
    server = start_serve(db, port)
    wait = WebDriverWait(browser, 20)
    try:
        base = f"http://127.0.0.1:{port}/news"
        # Ranked search: type the two-character word into the search form and run it.
        browser.get(f"{base}/search")
        box = wait.until(expected_conditions.presence_of_element_located((By.NAME, "q")))
        box.send_keys("停戦")
        box.submit()
        first = wait.until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns tbody tr"))
        )
        # The seed article (停戦 in its title and text): its title opens the article page.
        title = first.find_element(By.CSS_SELECTOR, "td.col-title a")
        assert "/-/article?url=" in title.get_attribute("href") and "k10013519522.html" in title.get_attribute("href")
        marks = first.find_elements(By.TAG_NAME, "mark")
        assert marks and all(m.text == "停戦" for m in marks)
        browser.save_screenshot(str(tmp_path / "search.png"))

        # The article list's own search box keeps exactly the articles containing the word.
        browser.get(f"{base}/article_list")
        search = wait.until(expected_conditions.presence_of_element_located((By.NAME, "_search")))
        search.send_keys("避難ルート")
        search.submit()
        wait.until(expected_conditions.title_contains("search matches"))
        rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        html = [r.get_attribute("innerHTML") for r in rows]
        assert rows and all("k100135194" in h or "k100135195" in h for h in html)
        browser.save_screenshot(str(tmp_path / "article_list.png"))

        # The chart: datasette-vega draws articles per day per site from the query's JSON.
        browser.get(f"{base}/articles_per_day")
        link = wait.until(expected_conditions.presence_of_element_located((By.PARTIAL_LINK_TEXT, "Show as a chart")))
        link.click()
        assert "_chart=line" in browser.current_url
        chart = wait.until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".vega-embed svg, .vega-embed canvas"))
        )
        assert chart.size["width"] > 100
        browser.save_screenshot(str(tmp_path / "chart.png"))
    finally:
        server.terminate()
        server.wait(timeout=10)
    for name in ("search.png", "article_list.png", "chart.png"):
        assert (tmp_path / name).stat().st_size > 5_000


@pytest.mark.parametrize("width", [1400, 400])
def test_an_article_reads_as_a_story_at_any_width(  # type: ignore[no-untyped-def]
    demo_db: tuple[Path, str], tmp_path: Path, browser, width: int
) -> None:
    from urllib.parse import quote

    import sqlite_utils

    db = tmp_path / "news.db"
    db.write_bytes(demo_db[0].read_bytes())
    stored = sqlite_utils.Database(db)
    port = free_port()
    server = start_serve(db, port)
    browser.set_window_size(width, 1000)
    wait = WebDriverWait(browser, 20)
    try:
        for language in ("ja", "en"):
            row = next(stored.query(
                "select url, title, body from articles where language = ? and duplicate_of is null "
                "order by length(body) desc limit 1", [language]))  # fmt: skip
            # From the list, as a reader would: the title's link.
            browser.get(f"http://127.0.0.1:{port}/news/article_list?language={language}&_size=100")
            link = wait.until(expected_conditions.presence_of_element_located(
                (By.CSS_SELECTOR, f'td.col-title a[href$="{quote(row["url"], safe="")}"]')))  # fmt: skip
            browser.execute_script("arguments[0].click()", link)
            h1 = wait.until(
                expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "article.news-reader h1"))
            )
            assert h1.text == row["title"]
            paragraphs = browser.find_elements(By.CSS_SELECTOR, "article.news-reader .news-body p")
            assert [p.text for p in paragraphs] == [p for p in row["body"].split("\n\n") if p.strip()]
            body = browser.find_element(By.CSS_SELECTOR, "article.news-reader .news-body")
            viewport = browser.execute_script("return document.documentElement.clientWidth")
            assert body.size["width"] >= viewport / 2, (body.size, viewport)
            # Nothing wider than the screen: no sideways scrolling on a phone.
            assert browser.execute_script("return document.documentElement.scrollWidth") <= viewport + 1
            # The evidence is folded under the story.
            folds = browser.find_elements(By.CSS_SELECTOR, "section.news-evidence details")
            assert len(folds) == 6 and not any(f.get_attribute("open") for f in folds)
            assert folds[0].location["y"] > paragraphs[-1].location["y"]
            path = tmp_path / f"article-{language}-{width}.png"
            browser.save_screenshot(str(path))
            assert path.stat().st_size > 5_000
    finally:
        server.terminate()
        server.wait(timeout=10)
