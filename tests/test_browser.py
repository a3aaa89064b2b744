"""A reader in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`) on the
served demo database: search 停戦 in Japanese, see the seed article first with the word
highlighted, filter the article list with its search box, open the chart page. Screenshots go to
the test's temporary folder. Skipped where Chromium is not installed, except in CI (`CI` set),
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
        assert "k10013519522.html" in first.text  # the seed article: 停戦 in its title and text
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
        assert rows and all("k100135194" in r.text or "k100135195" in r.text for r in rows)
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
