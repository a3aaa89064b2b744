"""Site profiles: one declarative YAML file per site.

Two folders are read: the bundled profiles (crawler/sites/) and the user's own
(`user_dir()`: the NEWS_PROFILES_DIR setting, else $XDG_CONFIG_HOME/news-crawler/sites, by
default ~/.config/news-crawler/sites). A user's profile adds a site, or replaces the bundled
profile of the same name: sites are added and kept without editing the installed package.

Loading validates every field and names the file and field in its errors.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.extract import Selectors
from crawler.text.dates import get_tz

SITES_DIR = Path(__file__).parent / "sites"
PROFILES_DIR_ENV = "NEWS_PROFILES_DIR"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KNOWN = {
    "name",
    "schedule",
    "title",
    "allowed_domains",
    "start_urls",
    "feeds",
    "sitemaps",
    "allow",
    "deny",
    "article_urls",
    "timezone",
    "language",
    "selectors",
    "notes",
}
_SELECTOR_KEYS = {"title", "body", "published", "modified", "authors", "drop"}


logger = logging.getLogger(__name__)


class ProfileError(ValueError):
    """A profile file is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class SiteProfile:
    name: str
    allowed_domains: tuple[str, ...]
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    article_urls: tuple[re.Pattern[str], ...] = ()
    timezone: str | None = None
    language: str | None = None
    selectors: Selectors = field(default_factory=Selectors)
    title: str | None = None
    path: Path | None = None
    schedule: str | None = None  # how often `news-crawler schedule` runs it: 15m, 1h, 1d or cron

    @property
    def entry_points(self) -> tuple[str, ...]:
        return self.sitemaps + self.feeds + self.start_urls


def _str_list(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where}: field '{key}' must be a list of strings")
    return tuple(value)


def _patterns(data: dict[str, Any], key: str, where: str) -> tuple[re.Pattern[str], ...]:
    out = []
    for p in _str_list(data, key, where):
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise ProfileError(f"{where}: field '{key}': bad regular expression {p!r}: {exc}") from exc
    return tuple(out)


def parse_profile(data: Any, where: str) -> SiteProfile:
    """Validate one profile mapping; `where` names its file in errors."""
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: a profile must be a mapping")
    unknown = set(data) - _KNOWN
    if unknown:
        raise ProfileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ProfileError(f"{where}: field 'name' must be lower-case letters, digits, '-' or '_'")
    domains = _str_list(data, "allowed_domains", where)
    if not domains:
        raise ProfileError(f"{where}: field 'allowed_domains' must list at least one domain")
    tz = data.get("timezone")
    if tz is not None and (not isinstance(tz, str) or get_tz(tz) is None):
        raise ProfileError(f"{where}: field 'timezone': unknown IANA zone {tz!r}")
    selectors = data.get("selectors") or {}
    if not isinstance(selectors, dict) or set(selectors) - _SELECTOR_KEYS:
        raise ProfileError(f"{where}: field 'selectors' may only hold {', '.join(sorted(_SELECTOR_KEYS))}")
    schedule = data.get("schedule")
    if schedule is not None:
        from crawler.schedule.policy import PolicyError, Schedule

        try:
            Schedule.parse(str(schedule))
        except PolicyError as exc:
            raise ProfileError(f"{where}: field 'schedule': {exc}") from exc
    profile = SiteProfile(
        name=name,
        schedule=str(schedule) if schedule is not None else None,
        title=data.get("title"),
        allowed_domains=domains,
        start_urls=_str_list(data, "start_urls", where),
        feeds=_str_list(data, "feeds", where),
        sitemaps=_str_list(data, "sitemaps", where),
        allow=_patterns(data, "allow", where),
        deny=_patterns(data, "deny", where),
        article_urls=_patterns(data, "article_urls", where),
        timezone=tz,
        language=data.get("language"),
        selectors=Selectors(**selectors),
    )
    if not profile.entry_points:
        raise ProfileError(f"{where}: give at least one of 'start_urls', 'feeds', 'sitemaps'")
    return profile


def load_profile_file(path: Path) -> SiteProfile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "cannot be read"
        raise ProfileError(f"{where}: not valid YAML ({problem}); fix the file or move it away") from exc
    profile = parse_profile(data, str(path))
    if profile.name != path.stem:
        raise ProfileError(f"{path}: field 'name' ({profile.name}) must match the file name")
    return SiteProfile(**{**profile.__dict__, "path": path})


def user_dir() -> Path:
    """The user's own profiles folder. NEWS_PROFILES_DIR reaches here through the environment:
    the command line exports the setting (crawler/cli/common.py) so the crawl, its worker
    processes and the scheduler's runs all read the same folder; a Scrapy project that sets it
    in settings.py gets it from the spider (`use_profiles_dir`)."""
    configured = os.environ.get(PROFILES_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(config_home) / "news-crawler" / "sites"


def use_profiles_dir(path: str) -> None:
    """Make `path` the user's profiles folder for this process and the processes it starts."""
    if path.strip():
        os.environ[PROFILES_DIR_ENV] = path.strip()


def profile_dirs() -> tuple[Path, ...]:
    """The folders read, lowest first: a later folder's profile replaces an earlier one's."""
    return (SITES_DIR, user_dir())


def load_profiles(directory: Path | None = None) -> dict[str, SiteProfile]:
    """Every valid profile, by name: of `directory`, or of the bundled and the user's folders. A
    bad one (invalid YAML, a misspelled field) is left out with a one-line warning, so that it
    disables itself alone, not every command that reads profiles; `news-crawler profiles check`
    fails on it."""
    profiles, _ = load_profiles_and_problems(directory)
    return profiles


def load_profiles_and_problems(directory: Path | None = None) -> tuple[dict[str, SiteProfile], dict[Path, str]]:
    """(the valid profiles by name, the bad files with their one-line reasons)."""
    profiles: dict[str, SiteProfile] = {}
    problems: dict[Path, str] = {}
    for folder in (directory,) if directory is not None else profile_dirs():
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            try:
                profiles[path.stem] = load_profile_file(path)
            except ProfileError as exc:
                problems[path] = str(exc)
                _warn_once(str(exc), path.stat().st_mtime)
    return profiles, problems


def profile_names() -> set[str]:
    """The names of every profile file, valid or not (site keys that are profile names)."""
    return {p.stem for folder in profile_dirs() if folder.is_dir() for p in folder.glob("*.yaml")}


def profile_path(name: str) -> Path | None:
    """The file the profile `name` is read from: the user's, else the bundled one."""
    for folder in reversed(profile_dirs()):
        if (folder / f"{name}.yaml").is_file():
            return folder / f"{name}.yaml"
    return None


@functools.lru_cache(maxsize=256)
def _warn_once(message: str, mtime: float) -> None:
    # Once a process per file version: profiles are read by several components of one run.
    logger.warning("profile left out: %s", message)


def get_profile(name: str, directory: Path | None = None) -> SiteProfile:
    path = directory / f"{name}.yaml" if directory is not None else profile_path(name)
    if path is None or not path.exists():
        known = ", ".join(sorted(load_profiles(directory))) or "none"
        yours = f"; a profile of your own goes in {user_dir()}" if directory is None else ""
        raise ProfileError(f"no site profile named {name!r} (known: {known}){yours}")
    return load_profile_file(path)


def host_matches(url: str, profile: SiteProfile) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not any(host == d or host.endswith("." + d) for d in profile.allowed_domains):
        return False
    # A profile whose entry points name a port on this host (a local site) is that port's site only.
    ports = {urlsplit(u).port for u in profile.entry_points if (urlsplit(u).hostname or "").lower() == host}
    return not ports or None in ports or parts.port in ports


def profile_for_url(url: str, profiles: dict[str, SiteProfile] | None = None) -> SiteProfile | None:
    """The one profile whose allowed_domains hold the URL's host (and port, for a local site), if any."""
    matches = [p for p in (profiles if profiles is not None else load_profiles()).values() if host_matches(url, p)]
    return matches[0] if len(matches) == 1 else None
