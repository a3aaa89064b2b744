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


def test_numpy_threads_are_one_unless_the_user_says_otherwise() -> None:
    """The language identifier's BLAS threads spin between its small products (a page cost three
    times its CPU on two cores): every process of ours sets one thread before numpy loads."""
    import os
    import subprocess
    import sys

    code = "import crawler, numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert ours.stdout.split() == ["1", "1"]
    theirs = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**env, "OPENBLAS_NUM_THREADS": "4"})  # fmt: skip
    assert theirs.stdout.split() == ["4", "1"]
