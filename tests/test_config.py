"""NewsConfig: every NEWS_* setting read once, typed, with its default in one place."""

from __future__ import annotations

from dataclasses import fields

import pytest
from scrapy.settings import Settings

from crawler.config import SETTING_NAMES, NewsConfig
from crawler.crawl import settings as project_settings


def test_settings_are_read_with_their_types() -> None:
    s = Settings({"NEWS_DB_BATCH_SIZE": "50", "NEWS_REPEATS_ENABLED": "0", "NEWS_BOILERPLATE_MIN_SHARE": "0.25"})
    config = NewsConfig.from_settings(s)
    assert (config.db_batch_size, config.repeats_enabled, config.boilerplate_min_share) == (50, False, 0.25)
    assert config.db == "data/news.db"  # unset: the default


def test_a_bad_value_names_the_setting() -> None:
    with pytest.raises(ValueError, match="NEWS_DATES_MIN_YEAR"):
        NewsConfig.from_settings({"NEWS_DATES_MIN_YEAR": "nineteen"})


def test_defaults_live_only_in_the_config() -> None:
    # The project settings module sets none of ours: a default written twice drifts.
    assert not [name for name in dir(project_settings) if name.startswith("NEWS_")]
    assert len(SETTING_NAMES) == len(fields(NewsConfig))


def test_recorded_cleaning_settings_replace_the_defaults_unless_given() -> None:
    recorded = {"boilerplate_min_articles": 1000, "repeats_enabled": False, "db": "ignored"}
    config = NewsConfig().with_cleaning(recorded)
    assert (config.boilerplate_min_articles, config.repeats_enabled, config.db) == (1000, False, "data/news.db")
    kept = NewsConfig(boilerplate_min_articles=7).with_cleaning(recorded, keep={"boilerplate_min_articles"})
    assert kept.boilerplate_min_articles == 7 and kept.repeats_enabled is False


def test_the_language_identifier_runs_on_one_blas_thread_whatever_was_imported_first() -> None:
    """numpy's BLAS threads spin between the identifier's small products (a page cost two to three
    times its CPU on two cores): its products run on one thread, even when numpy was imported
    before us (trafilatura imports it), and the process's own setting is left as it was."""
    import subprocess
    import sys

    code = (
        "import numpy, threadpoolctl\n"
        "import crawler.text.language as lang\n"
        "blas = lambda: [i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas']\n"
        "seen = []\n"
        "identifier, threads = lang._identifier()\n"
        "class Spy:\n"
        "    def classify(self, s):\n"
        "        seen.append(blas())\n"
        "        return identifier.classify(s)\n"
        "lang._identifier = lambda: (Spy(), threads)\n"
        "print(lang.text_language('The council met on Tuesday to discuss the budget for the year.'))\n"
        "print(seen, blas())\n"
    )
    env = {"OPENBLAS_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    guess, threads_seen = out.stdout.splitlines()
    assert guess.startswith("('en'")
    assert threads_seen == "[[1]] [2]"
