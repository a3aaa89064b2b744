"""Seeds of a distributed run: start URLs and site names turned into JSON seeds and the hosts
their links may lead to (scrapy-redis deprecates plain-string seeds; these are JSON)."""

from __future__ import annotations

import json
from typing import Any

import redis

from crawler.crawl.distributed.keys import Keys
from crawler.crawl.targets import Target
from crawler.discovery.urls import netloc
from crawler.profiles import get_profile


def seeds_of(texts: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """(seeds, hosts) for site profile names and URLs; raises TargetError on an unknown name."""
    seeds: list[dict[str, Any]] = []
    hosts: set[str] = set()
    for text in texts:
        target = Target.parse(text)
        if "site" in target.spider_kwargs:
            profile = get_profile(target.spider_kwargs["site"])
            seeds += [{"url": url, "site": profile.name} for url in profile.entry_points]
            hosts |= set(profile.allowed_domains)
        else:
            seeds.append({"url": text})
            hosts.add(netloc(text))
    return seeds, sorted(hosts)


def push_seeds(server: redis.Redis, keys: Keys, seeds: list[dict[str, Any]], hosts: list[str]) -> int:
    """Add the hosts, then the seeds (in one transaction), for the workers to take."""
    if not seeds:
        return 0
    with server.pipeline(transaction=True) as pipe:
        if hosts:
            pipe.sadd(keys.hosts, *hosts)
        pipe.rpush(keys.seeds, *(json.dumps(seed, ensure_ascii=False) for seed in seeds))
        pipe.execute()
    return len(seeds)
