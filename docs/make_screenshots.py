"""Regenerate the screenshots of docs/: the demo database served by `news-crawler serve`, read
by headless Chromium (Debian's chromium + chromium-driver): the home page, search, the chart, the
article list, and a Japanese and an English article's page for reading at a desktop's width
(1,400 px) and a phone's (400 px); then the report chart.

    .venv/bin/python -m crawler demo --db /tmp/demo.db && .venv/bin/python docs/make_screenshots.py /tmp/demo.db
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

HERE = Path(__file__).resolve().parent
PORT = 8765


def main(db: str) -> None:
    name = Path(db).stem
    server = subprocess.Popen([sys.executable, "-m", "crawler", "serve", db, "--port", str(PORT)])
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        time.sleep(3)
        base = f"http://127.0.0.1:{PORT}/{name}"
        driver.get(f"http://127.0.0.1:{PORT}/")  # the home page: the reader's pages first
        driver.save_screenshot(str(HERE / "home.png"))
        driver.get(f"{base}/search")
        box = driver.find_element(By.NAME, "q")
        box.send_keys("停戦")
        box.submit()
        time.sleep(1)
        driver.execute_script("window.scrollTo(0, 560)")
        driver.save_screenshot(str(HERE / "search.png"))
        driver.get(f"{base}/articles_per_day?_chart=line#g.mark=line&g.x_column=day&g.x_type=temporal"
                   "&g.y_column=articles&g.y_type=quantitative&g.color_column=site")  # fmt: skip
        time.sleep(3)
        driver.execute_script("window.scrollTo(0, 250)")
        driver.save_screenshot(str(HERE / "chart-datasette.png"))
        driver.set_window_size(1400, 1000)
        driver.get(f"{base}/article_list")
        driver.save_screenshot(str(HERE / "article-list.png"))
        with sqlite3.connect(db) as conn:
            for language in ("ja", "en"):
                (url,) = conn.execute(
                    "select url from articles where language = ? and duplicate_of is null "
                    "order by length(body) desc limit 1", [language]).fetchone()  # fmt: skip
                for width in (1400, 400):
                    driver.set_window_size(width, 1000 if width > 400 else 860)
                    driver.get(f"{base}/-/article?url={quote(url, safe='')}")
                    driver.save_screenshot(str(HERE / f"article-{language}-{width}.png"))
    finally:
        driver.quit()
        server.terminate()
    report = [sys.executable, "-m", "crawler", "report", "--db", db, "--chart", str(HERE / "chart.png")]
    subprocess.run(report, check=True)


if __name__ == "__main__":
    main(sys.argv[1])
