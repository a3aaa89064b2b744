"""The storage layer: upserts, learned boilerplate, order independence, re-clean, near-duplicates."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from crawler.config import NewsConfig
from crawler.storage import ArticleStore, neardup, open_db

NOTICE = "この記事は配信時点の情報です。"
SERIES = "ロシアによるウクライナへの軍事侵攻が続く中、各国は対応を急いでいます。"


def make(i: int, site: str = "ja", extra: list[str] | None = None, published: str | None = None) -> dict[str, Any]:
    blocks = [
        f"記事{i}の本文です。内容は記事ごとに異なり、番号は{i}です。",
        f"二段落目は{i * 7}人について述べています。",
    ]
    return {
        "url": f"https://ex.jp/{site}/{i}",
        "site": site,
        "title": f"見出し{i}",
        "raw_blocks": blocks + (extra or []),
        "published_at": published or f"2022-03-{i % 28 + 1:02d}T00:00:00+00:00",
        "timezone": "Asia/Tokyo",
        "fetched_at": "2022-03-30T00:00:00+00:00",
    }


def store(tmp_path: Path, name: str = "n.db", **rule: Any) -> ArticleStore:
    return ArticleStore(open_db(tmp_path / name), NewsConfig(**{f"boilerplate_{k}": v for k, v in rule.items()}))


def bodies(s: ArticleStore) -> dict[str, str]:
    return {r["url"]: r["body"] for r in s.db.query("select url, body from articles")}


def test_short_japanese_boilerplate_is_learned_and_earlier_articles_recleaned(tmp_path: Path) -> None:
    s = store(tmp_path)
    for i in range(10):
        s.write_raw([make(i, extra=[NOTICE])], crawl_id=1)  # one at a time: model unknown at first
    assert all(NOTICE in b for b in bodies(s).values())
    report = s.learn_boilerplate(["ja"])
    assert report["ja"] == {"boilerplate": 1, "added": 1, "removed": 0, "recleaned": 10}
    assert not any(NOTICE in b for b in bodies(s).values())
    row = next(s.db.query("select * from boilerplate"))
    assert (row["text"], row["article_count"], row["site_articles"]) == (NOTICE, 10, 10)
    audit = list(s.db.query("select reason, text from stripped_blocks"))
    assert audit == [{"reason": "boilerplate", "text": NOTICE}] * 10
    # Later articles get it stripped on write.
    s.write_raw([make(50, extra=[NOTICE])], crawl_id=2)
    assert NOTICE not in bodies(s)["https://ex.jp/ja/50"]


def test_order_does_not_change_the_result(tmp_path: Path) -> None:
    items = [make(i, extra=[NOTICE] + ([SERIES] if i < 3 else [])) for i in range(12)]
    a, b = store(tmp_path, "a.db"), store(tmp_path, "b.db")
    a.write_raw(items, crawl_id=1)
    a.learn_boilerplate()
    for item in reversed(items):
        b.write_raw([item], crawl_id=1)
        b.learn_boilerplate()  # learning after every article, as small crawls would
    assert bodies(a) == bodies(b)
    assert sorted(r["key"] for r in a.db.query("select key from boilerplate")) == sorted(
        r["key"] for r in b.db.query("select key from boilerplate")
    )


@pytest.mark.parametrize(
    ("count", "of", "text", "learned"),
    [
        (4, 10, NOTICE, False),  # below min_articles
        (5, 10, NOTICE, True),
        (5, 100, NOTICE, False),  # below min_share
        (10, 10, "長い段落" * 80, False),  # too long to be boilerplate: background or wire copy
        (10, 10, "©", False),  # no letters: an 'empty' block, never counted
        (10, 10, "Share", True),  # very short lines count too
    ],
)
def test_thresholds(tmp_path: Path, count: int, of: int, text: str, learned: bool) -> None:
    s = store(tmp_path)
    s.write_raw([make(i, extra=[text] if i < count else []) for i in range(of)], crawl_id=1)
    s.learn_boilerplate()
    assert (s.db["boilerplate"].count == 1) is learned


def test_boilerplate_that_stops_recurring_is_unlearned(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.write_raw([make(i, extra=[NOTICE]) for i in range(5)], crawl_id=1)
    s.learn_boilerplate()
    assert s.db["boilerplate"].count == 1
    s.write_raw([make(i) for i in range(5, 60)], crawl_id=2)  # share falls below 0.1
    report = s.learn_boilerplate()
    assert report["ja"]["removed"] == 1 and report["ja"]["recleaned"] == 5
    assert all(NOTICE in bodies(s)[f"https://ex.jp/ja/{i}"] for i in range(5))


def test_sites_are_learned_separately(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.write_raw([make(i, "a", [NOTICE]) for i in range(6)] + [make(i, "b", [NOTICE]) for i in range(2)], 1)
    s.learn_boilerplate()
    assert {r["site"] for r in s.db.query("select site from boilerplate")} == {"a"}
    assert all(NOTICE in b for u, b in bodies(s).items() if "/b/" in u)


def test_near_duplicates_are_linked_to_the_earliest(tmp_path: Path) -> None:
    s = store(tmp_path)
    text = [
        "ロシア軍は、7日もウクライナ各地で侵攻を続け、国連人権高等弁務官事務所は、子ども27人を含む少なくとも406人の民間人の死亡が確認されたと発表しました。"
    ]
    late = {**make(1, "wire-b"), "raw_blocks": [*text, "（共同）"], "published_at": "2022-03-08T03:00:00+00:00"}
    early = {**make(2, "wire-a"), "raw_blocks": text, "published_at": "2022-03-08T01:00:00+00:00"}
    other = make(3)
    s.write_raw([late], 1)
    s.write_raw([other], 1)
    s.write_raw([early], 1)
    rows = {r["url"]: r["duplicate_of"] for r in s.db.query("select url, duplicate_of from articles")}
    assert rows[late["url"]] == early["url"]
    assert rows[early["url"]] is None and rows[other["url"]] is None
    # Re-crawling keeps the link and adds no duplicate signature.
    s.write_raw([late], 2)
    assert s.db["article_minhash"].count == 3
    fresh = ArticleStore(s.db)  # a new process rebuilds the index from the table
    fresh.write_raw([{**late, "url": "https://ex.jp/print/1"}], 3)
    assert s.db["articles"].get("https://ex.jp/print/1")["duplicate_of"] == early["url"]


def test_a_changed_body_leaves_no_stale_band_keys(tmp_path: Path) -> None:
    s = store(tmp_path)
    long = ["中国の習近平国家主席は、全国人民代表大会で政府活動報告について演説し、経済成長の目標を示しました。" * 2]
    s.write_raw([{**make(1), "raw_blocks": long}, {**make(2), "raw_blocks": long}], 1)
    assert s.db["articles"].get(make(2)["url"])["duplicate_of"] == make(1)["url"]
    bands = band_count(s)
    assert bands == 2 * 20  # 20 band keys per signature
    # The first article's text changes completely: its old keys go, a third copy of the old text
    # finds only the second article.
    s.write_raw([make(1)], 2)
    assert band_count(s) == bands
    s.write_raw([{**make(3), "raw_blocks": long}], 3)
    assert s.db["articles"].get(make(3)["url"])["duplicate_of"] == make(2)["url"]
    assert band_count(s, "where id not in (select id from article_minhash)") == 0


def band_count(s: ArticleStore, where: str = "") -> int:
    """Band keys in the index: merged ones and those waiting for a merge."""
    return sum(s.db.execute(f"select count(*) from {t} {where}").fetchone()[0] for t in neardup.BAND_TABLES)


def test_waiting_band_keys_are_found_and_merged_in_key_order(tmp_path: Path) -> None:
    """New band keys wait in a small table, move to the middle one and then to the big one; lookups
    read all three, so a copy is linked wherever its original's keys are, and a changed body
    leaves no key behind in any."""
    s = store(tmp_path)
    text = ["日本銀行は金融政策決定会合で、大規模な金融緩和策を維持することを決めました。" * 2]

    def counts() -> list[int]:
        return [s.db[t].count for t in neardup.LEVELS]

    s.write_raw([{**make(1), "raw_blocks": text}], 1)
    assert counts() == [20, 0, 0]
    s.write_raw([{**make(2), "raw_blocks": text}], 2)  # found among the waiting keys
    assert s.db["articles"].get(make(2)["url"])["duplicate_of"] == make(1)["url"]
    assert s.near.merge_if_due(at=40)  # 40 waiting: to the middle level, which is under 10 x 40
    assert counts() == [0, 40, 0]
    s.write_raw([{**make(3), "raw_blocks": text}], 3)  # found among the middle level's keys
    assert s.db["articles"].get(make(3)["url"])["duplicate_of"] == make(1)["url"]
    assert not s.near.merge_if_due(at=40)
    assert s.near.merge_if_due(at=6)  # 20 waiting >= 6 go down; then 60 in the middle >= 60
    assert counts() == [0, 0, 60]
    s.write_raw([{**make(4), "raw_blocks": text}], 4)  # found among the merged keys
    assert s.db["articles"].get(make(4)["url"])["duplicate_of"] == make(1)["url"]
    s.write_raw([make(1)], 5)  # its text replaced: its merged keys go
    assert band_count(s) == 4 * 20
    assert band_count(s, "where id not in (select id from article_minhash)") == 0
    assert not s.near.merge_if_due(at=1000)


@pytest.mark.parametrize(
    "blocks",
    [
        [],
        ["。。。", "😀😀😀", "★"],
        [NOTICE],
        ["混在 mixed テキスト Ünïcödé"] * 3,
        ["x" * 5_000_000],
        [f"段落{i}" for i in range(2000)],
    ],
)
def test_hostile_articles_do_not_crash_and_raw_blocks_are_kept(tmp_path: Path, blocks: list[str]) -> None:
    s = store(tmp_path)
    s.write_raw([make(i, extra=[NOTICE]) for i in range(6)], 1)
    s.learn_boilerplate()
    item = {**make(99), "raw_blocks": blocks}
    s.write_raw([item], 2)
    row = s.db["articles"].get(item["url"])
    assert json.loads(row["raw_blocks"]) == blocks
    assert row["blocks_stripped"] == len(
        list(s.db.query("select * from stripped_blocks where article_url = ?", [item["url"]]))
    )


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    open_db(tmp_path / "m.db")
    db = open_db(tmp_path / "m.db")
    names = [r["name"] for r in db.query("select name from _migrations order by name")]
    assert names == sorted(set(names)) and len(names) >= 3
    assert sqlite_utils.Database(tmp_path / "m.db").execute("pragma journal_mode").fetchone()[0] == "wal"


def test_rows_without_raw_blocks_are_not_wiped_by_reclean(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.write_raw([make(1)], 1)
    s.db.execute("update articles set raw_blocks = null, body = 'kept as it was'")
    s.db.conn.commit()
    assert s.reclean(["https://ex.jp/ja/1"]) == 0
    assert s.db["articles"].get("https://ex.jp/ja/1")["body"] == "kept as it was"


def test_copies_of_one_page_join_its_group_without_comparing_every_member(tmp_path: Path, monkeypatch) -> None:
    # A page served under many URLs: each copy is compared with a bounded number of the earlier
    # copies, not with all of them (which made such a store quadratic), and joins their group.
    from crawler.text.shingles import Signature

    s = store(tmp_path)
    body = ["東京都は8日、新たに1万3千人が新型コロナウイルスに感染したと発表しました。前の週より減りました。" * 2]
    s.write_raw([{**make(0), "raw_blocks": body, "published_at": "2022-03-08T01:00:00+00:00"}], 1)
    compared = 0
    scores = neardup.similarities

    def counting(sig: Signature, stored: list[bytes]) -> Any:
        nonlocal compared
        compared += len(stored)
        return scores(sig, stored)

    monkeypatch.setattr(neardup, "similarities", counting)
    copies = 600
    later = "2022-03-09T01:00:00+00:00"
    s.write_raw([{**make(i), "raw_blocks": body, "published_at": later} for i in range(1, copies)], 1)
    rows = {r["url"]: r["duplicate_of"] for r in s.db.query("select url, duplicate_of from articles")}
    assert all(rows[make(i)["url"]] == make(0)["url"] for i in range(1, copies))
    assert compared <= 100 * copies  # bounded per copy (was every earlier copy: 599 * 600 / 2)


def occurrences(s: ArticleStore) -> list[tuple[str, str]]:
    return sorted((r["article_url"], r["key"]) for r in s.db.query("select article_url, key from block_occurrences"))


def test_reclean_keeps_block_occurrences_and_new_raw_blocks_replace_them(tmp_path: Path) -> None:
    """A re-clean after a model change leaves the occurrences (keys of the raw blocks, which did
    not change) as a fresh write makes them; re-extracted raw blocks bring their own."""
    s, fresh = store(tmp_path), store(tmp_path, "fresh.db")
    items = [make(i, extra=[NOTICE]) for i in range(10)]
    s.write_raw(items, crawl_id=1)
    before = occurrences(s)
    assert s.learn_boilerplate(["ja"])["ja"]["recleaned"] == 10
    assert occurrences(s) == before
    fresh.write_raw(items, crawl_id=1)
    assert occurrences(fresh) == before
    url = items[0]["url"]
    assert s.replace_raw_blocks([(url, ["全く新しい段落がここに入りました。", NOTICE], None, None)]) == 1
    mine = [key for u, key in occurrences(s) if u == url]
    assert len(mine) == 2 and mine != [key for u, key in before if u == url]


def test_candidate_similarities_are_minhash_jaccard() -> None:
    """Near-duplicate linking scores its candidates in one array operation: the same figures as
    datasketch's LeanMinHash.jaccard, one candidate at a time."""
    from datasketch import LeanMinHash

    from crawler.text.shingles import from_bytes, signature, similarities, to_bytes

    base = "".join(f"記事の本文{i}は内容が異なります。" for i in range(40))
    other = "".join(f"別の話題{i * 7}について書いた文章です。" for i in range(40))
    texts = [base, base + "追記があります。", base[: len(base) // 2], other, base[::-1]]
    sigs = [signature(t) for t in texts]
    assert all(s is not None for s in sigs)
    stored = [to_bytes(s) for s in sigs if s is not None]
    for sig in sigs:
        assert sig is not None
        assert list(similarities(sig, stored)) == [sig.jaccard(from_bytes(b)) for b in stored]
        lean = LeanMinHash(seed=1, hashvalues=sig.hashvalues, scheme="affine32")
        assert [sig.jaccard(from_bytes(b)) for b in stored] == [
            lean.jaccard(LeanMinHash(seed=1, hashvalues=from_bytes(b).hashvalues, scheme="affine32")) for b in stored
        ]
    assert sigs[0] is not None and list(similarities(sigs[0], [])) == []


def test_signatures_use_datasketchs_permutations() -> None:
    """The permutations are datasketch's (affine32 scheme, seed 1), drawn without importing it:
    databases written before and after it left the crawl's imports hold the same signatures."""
    import numpy as np
    from datasketch import MinHash

    from crawler.text.shingles import NUM_PERM, shingle_hashes, signature

    a, b = (p.astype(np.uint32) for p in MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations)
    for text in ("東京都は8日、新たに感染を発表しました。" * 3, "A wire story, copied by many papers. " * 4):
        hashes = shingle_hashes(text)
        with np.errstate(over="ignore"):
            expected = (a[:, None] * hashes[None, :] + b[:, None]).min(axis=1)
        ours = signature(text)
        assert ours is not None and list(ours.hashvalues) == list(expected)


def test_an_original_that_changes_leaves_its_group_and_the_group_stays_together(tmp_path: Path) -> None:
    s = store(tmp_path)
    wire = ["政府は8日、物価高への追加の経済対策をまとめ、電気やガス料金の負担を軽くする方針を示しました。" * 2]
    days = ["2022-03-08T01:00:00+00:00", "2022-03-08T02:00:00+00:00", "2022-03-08T03:00:00+00:00"]
    copies = [{**make(i), "raw_blocks": wire, "published_at": days[min(i, 2)]} for i in range(4)]
    s.write_raw(copies, 1)
    links = {r["url"]: r["duplicate_of"] for r in s.db.query("select url, duplicate_of from articles")}
    assert [links[c["url"]] for c in copies] == [None] + [copies[0]["url"]] * 3
    # The original's text is replaced by another story: it stands alone; its copies keep one
    # group, under the earliest of them.
    s.write_raw([{**copies[0], "raw_blocks": make(0)["raw_blocks"]}], 2)
    links = {r["url"]: r["duplicate_of"] for r in s.db.query("select url, duplicate_of from articles")}
    assert [links[c["url"]] for c in copies] == [None, None, copies[1]["url"], copies[1]["url"]]
    # A small change (one line less) keeps an article in its group.
    s.write_raw([{**copies[3], "raw_blocks": [*wire, "（共同）"]}], 3)
    s.write_raw([{**copies[3], "raw_blocks": wire}], 4)
    assert s.db["articles"].get(copies[3]["url"])["duplicate_of"] == copies[1]["url"]


def test_a_batch_that_fails_late_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch is one transaction: a failure in its last step (a full disk while writing the
    decisions) leaves neither its articles, their child rows nor their band keys, so the batch
    can be written again whole (sqlite-utils commits each write made outside a transaction)."""
    from crawler.storage import store as store_module

    s = store(tmp_path)
    s.write_raw([make(1)], 1)
    before = {t: s.db[t].count for t in ("articles", "block_occurrences", "article_minhash", "pages")}

    def full_disk(*_args: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module, "record_decisions", full_disk)
    article = s.cleaned(make(2))
    page = {"url": article["url"], "fetched_at": "t", "http_status": 200, "encoding": "utf-8", "html_zlib": b"x"}
    with pytest.raises(sqlite3.OperationalError):
        s.write_batch([article], [page], [], 1, decisions=[{"url": article["url"], "kind": "article"}])
    assert {t: s.db[t].count for t in before} == before
    assert not s.db.conn.in_transaction
    monkeypatch.undo()
    s.write_batch([s.cleaned(make(2))], [page], [], 1, decisions=[{"url": article["url"], "kind": "article"}])
    assert s.db["articles"].count == 2 and s.db["decisions"].count == 1


def test_the_big_band_index_bitmap_holds_every_key_and_is_shared_between_processes(tmp_path: Path) -> None:
    """Every key merged into minhash_bands has its bit, so a copy found through the big index is
    still found with the bitmap in front of it, by another connection too (a reclean beside a
    crawl); keys that were never merged are mostly answered by the bitmap alone."""
    from crawler.storage import bandfilter

    crawl, other = store(tmp_path), store(tmp_path)
    text = ["日本銀行は金融政策決定会合で、大規模な金融緩和策を維持することを決めました。" * 2]
    assert crawl.db[bandfilter.TABLE].get(1)["bits"] == b""  # a new database: no 16 MB yet
    crawl.write_raw([{**make(1), "raw_blocks": text}, make(2)], 1)
    other.write_raw([make(3)], 1)  # reads the (empty) bitmap before the merge
    assert crawl.near.merge_if_due(at=1) and crawl.db["minhash_bands"].count == 60
    merged = [k for (k,) in crawl.db.execute("select key from minhash_bands")]
    for near in (crawl.near, other.near):
        near.filter.refresh()
        assert near.filter.maybe(merged) == merged
    unseen = [k * 7919 + 13 for k in range(1, 2001)]
    assert len(other.near.filter.maybe(unseen)) < 20
    other.write_raw([{**make(4), "raw_blocks": text}], 2)  # its original's keys are in the big index only
    assert other.db["articles"].get(make(4)["url"])["duplicate_of"] == make(1)["url"]
    # A rebuild makes the bitmap anew from the big index.
    crawl.db.execute(f"update {bandfilter.TABLE} set bits = zeroblob({bandfilter.BITS // 8})")
    neardup.rebuild(crawl.db)
    crawl.near.filter.refresh()
    rebuilt = [k for (k,) in crawl.db.execute("select key from minhash_bands")]
    assert len(rebuilt) == 80 and crawl.near.filter.maybe(rebuilt) == rebuilt
