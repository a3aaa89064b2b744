"""Japanese full-text search: the bigram form, the query form, and the index kept in sync in SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from crawler.config import NewsConfig
from crawler.storage import ArticleStore, open_db
from crawler.storage.search import FTS_TABLE, rebuild, search
from crawler.text.search import NO_MATCH, bigram_form, fts_query, highlighted_html, snippet

# A small corpus where the right answer is known by reading: which texts contain which string.
TEXTS = {
    "a1": ("停戦交渉が再開", "ロシアとウクライナの停戦交渉が7日、再開された。"),
    "a2": ("避難ルートを設置", "市民のための避難ルートが設置されたが、停戦は守られなかった。"),
    "a3": ("戦況", "東部では戦闘が続いている。交渉の見通しは立たない。"),
    "a4": ("Ceasefire talks resume", "Russia and Ukraine resumed ceasefire talks on Monday."),
    "a5": ("NHKニュース", "NHKニュースによると、Ukraine 情勢は緊迫している。停戦の動きはない。"),
    "a6": ("ルート営業", "配送ルートの見直しで避難訓練を実施した。"),  # 避難 and ルート, never 避難ルート
    "a7": ("全角テスト", "ＮＨＫの報道。ｳｸﾗｲﾅ情勢。"),  # full-width Latin, half-width katakana
}


def expected(needle: str) -> set[str]:
    """Ground truth by plain substring search over the normalised texts (every term must occur)."""
    from crawler.text.search import normalize, query_terms

    return {
        key
        for key, (title, body) in TEXTS.items()
        if all(normalize(t) in normalize(title) or normalize(t) in normalize(body) for t in query_terms(needle))
    }


def article(key: str, title: str, body: str) -> dict[str, Any]:
    return {
        "url": f"http://127.0.0.1/{key}",
        "site": "test",
        "title": title,
        "body": body,
        "raw_blocks": [body],
        "language": "ja",
        "published_at": "2022-03-08",
        "timezone": "Asia/Tokyo",
    }


@pytest.fixture()
def store(tmp_path: Path) -> ArticleStore:
    s = ArticleStore(open_db(tmp_path / "news.db"), NewsConfig())
    s.upsert_articles([article(k, t, b) for k, (t, b) in TEXTS.items()], None)
    return s


def found(store: ArticleStore, query: str) -> set[str]:
    return {row["url"].rsplit("/", 1)[1] for row in search(store.db, query, limit=100)}


def test_bigram_form_splits_cjk_runs_and_leaves_words() -> None:
    assert bigram_form("停戦交渉") == " 停戦 戦交 交渉 渉 "
    assert bigram_form("NHKニュース web").split() == ["nhk", "ニュ", "ュー", "ース", "ス", "web"]
    assert bigram_form("ｳｸﾗｲﾅ").split() == ["ウク", "クラ", "ライ", "イナ", "ナ"]  # NFKC first
    assert bigram_form(None) == ""
    assert bigram_form("a戦b 交渉") == "a 戦 b  交渉 渉 "  # a one-character run stands alone


def test_query_form_is_phrases_anded_and_never_fts_syntax() -> None:
    assert fts_query("停戦") == '"停戦"'
    assert fts_query("停戦交渉") == '"停戦 戦交 交渉"'
    assert fts_query("停戦 Ukraine") == '"停戦" "ukraine"'
    assert fts_query("戦") == '"戦"*'
    for hostile in ['"', '"unbalanced', "a*", "NEAR(a b)", "x OR y", "((", ")", "-", "--x", "^a", "a:b", "'", "\\"]:
        q = fts_query(hostile)
        assert q.count('"') % 2 == 0, hostile
    assert fts_query("") == fts_query("   ") == fts_query("-") == NO_MATCH


@pytest.mark.parametrize(
    "query",
    ["停戦", "停戦交渉", "避難ルート", "ウクライナ", "ceasefire", "Ukraine", "停戦 Ukraine", "NHKニュース",
     "避難", "ルート", "交渉", "戦", "nhk", "ウクライナ 停戦", "talks Monday", "緊迫"],
)  # fmt: skip
def test_search_returns_exactly_the_articles_containing_every_term(store: ArticleStore, query: str) -> None:
    assert found(store, query) == expected(query), query


def test_two_character_word_does_not_match_its_characters_apart(store: ArticleStore) -> None:
    # a3 has 戦 (戦闘) and 交渉 but not 停戦; a6 has 避難 and ルート apart.
    assert "a3" not in found(store, "停戦")
    assert "a6" not in found(store, "避難ルート")
    assert "a6" in found(store, "避難") and "a6" in found(store, "ルート")


def test_full_width_and_half_width_forms_match_their_usual_forms(store: ArticleStore) -> None:
    assert "a7" in found(store, "NHK")
    assert "a7" in found(store, "ウクライナ")


def test_hostile_queries_give_results_or_nothing_never_an_error(store: ArticleStore) -> None:
    for q in ['"停戦', "停戦*", "NEAR(停戦 交渉)", "停戦 OR 交渉", "(((", "-", "AND", '""', "*", "停戦 -交渉"]:
        list(search(store.db, q))  # raises nothing
    assert found(store, "停戦 OR 避難") == expected("停戦 OR 避難") == set()  # OR is a word, ANDed


def test_ranked_by_relevance_with_highlighted_snippet(store: ArticleStore) -> None:
    store.upsert_articles([article("b1", "停戦", "停戦。停戦が成立。停戦を歓迎。")], None)
    hits = list(search(store.db, "停戦"))
    assert hits[0]["url"].endswith("/b1")  # in the title and three times in the body
    assert "<mark>停戦</mark>" in hits[0]["snippet"]


def test_index_follows_insert_update_reclean_and_delete(store: ArticleStore) -> None:
    db = store.db
    assert found(store, "停戦交渉") == {"a1"}
    # update (a re-crawl with a changed body)
    store.upsert_articles([article("a1", "交渉再開", "双方の協議が7日、再開された。")], None)
    assert found(store, "停戦交渉") == set() and found(store, "協議") == {"a1"}
    # unchanged re-crawl keeps the row in the index
    store.upsert_articles([article("a1", "交渉再開", "双方の協議が7日、再開された。")], None)
    assert found(store, "協議") == {"a1"}
    # re-clean from raw blocks (the body derived again)
    db.execute("update articles set raw_blocks = ? where url = ?", ['["和平協議の行方。"]', "http://127.0.0.1/a1"])
    db.conn.commit()
    store.reclean(["http://127.0.0.1/a1"])
    assert found(store, "和平") == {"a1"}
    # delete
    with db.conn:
        db.execute("delete from articles where url = ?", ["http://127.0.0.1/a1"])
    assert found(store, "和平") == set()
    count = db.execute(f"select count(*) from {FTS_TABLE}").fetchone()[0]
    assert count == db.execute("select count(*) from articles").fetchone()[0]


def test_a_plain_connection_cannot_change_text_behind_the_index(tmp_path: Path, store: ArticleStore) -> None:
    import sqlite3

    path = store.db.execute("pragma database_list").fetchone()[2]
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.OperationalError, match="news_fts_form"):
        conn.execute("update articles set body = 'x' where url like '%a2'")
    conn.execute("update articles set section = 'world' where url like '%a2'")  # other columns are fine
    conn.commit()
    conn.close()


def test_migration_builds_the_index_for_an_existing_database(tmp_path: Path, store: ArticleStore) -> None:
    db = store.db
    with db.conn:
        db.execute(f"drop table {FTS_TABLE}")
        for trigger in ("articles_fts_insert", "articles_fts_update", "articles_fts_delete"):
            db.execute(f"drop trigger {trigger}")
        db.execute("drop view article_list")
        db.execute("delete from _migrations where name = 'm006_search'")
    path = db.execute("pragma database_list").fetchone()[2]
    db.conn.close()
    reopened = ArticleStore(open_db(path), NewsConfig())
    assert found(reopened, "停戦") == expected("停戦")
    assert reopened.db["article_list"].count == len(TEXTS)
    assert rebuild(reopened.db) == len(TEXTS)


def test_snippet_escapes_nothing_itself_and_html_keeps_only_marks() -> None:
    text = "<script>alert(1)</script> 停戦 & <mark>x</mark>"
    s = snippet(text, "停戦")
    assert "<mark>停戦</mark>" in s
    html = highlighted_html(s)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>停戦</mark>" in html and "&amp;" in html


def test_snippet_windows_around_the_first_hit() -> None:
    text = "前置き。" * 100 + "ここで停戦が成立した。" + "後書き。" * 100
    s = snippet(text, "停戦")
    assert s.startswith("…") and s.endswith("…") and "<mark>停戦</mark>" in s
    assert len(s) < 200


def test_sqlite_utils_database_keeps_working(store: ArticleStore) -> None:
    # sqlite-utils' own introspection sees the FTS table and the view without trouble.
    names = set(store.db.table_names())
    assert FTS_TABLE in names
    assert "article_list" in store.db.view_names()
    assert isinstance(store.db, sqlite_utils.Database)
