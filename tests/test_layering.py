"""The house's rules, read from the code's own imports (ast), so the layout stays as docs/layout.md
draws it:

- pure rooms (`text`, `extract`, `discovery`, `schedule`, `archive`, `demo`) import neither Scrapy, Twisted
  nor SQL, and nothing of ours above them;
- storage imports no Scrapy, and nothing of the crawl, the command line or Datasette;
- the crawl reaches storage only through its storage components;
- the command line sits on top: nothing imports it;
- no module imports another that (directly or not) imports it back: no circles.

Every import counts, including those inside functions (a lazy import is still a dependency)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "crawler"

# Rooms, lowest first: a module may import its own room and the rooms listed for it.
PURE = {"text", "extract", "discovery", "schedule", "archive", "demo", "page"}
CONTRACT = {"config", "items", "profiles"}  # modules at the package root: the crawl contract
ALLOWED: dict[str, set[str]] = {
    "text": set(),
    "extract": {"text"},
    "discovery": set(),
    "schedule": set(),
    "archive": set(),
    "demo": set(),
    "page": {"text", "extract", "discovery", "archive"},  # the page processor: one page's whole work
    # the engine-free ingest: archive records read by workers, processed, stored by one writer
    "ingest": {"contract", "text", "extract", "discovery", "archive", "page", "storage"},
    "contract": {"text", "extract", "discovery", "schedule"},
    "storage": {"contract", "text", "extract", "discovery", "schedule", "archive", "page"},
    "datasette": {"contract", "text", "storage"},
    "crawl": {"contract", "text", "extract", "discovery", "schedule", "archive", "storage", "page", "ingest"},
    "cli": {
        "contract",
        "text",
        "extract",
        "discovery",
        "schedule",
        "archive",
        "storage",
        "crawl",
        "datasette",
        "demo",
        "page",
        "ingest",
    },
    "root": {"cli", "crawl"},  # __main__ runs the command line; addon.py is the add-on's old path
}
SCRAPY_LIKE = {"scrapy", "twisted", "scrapy_redis", "itemadapter"}
SQL = {"sqlite3", "sqlite_utils", "datasette"}
FORBIDDEN: dict[str, set[str]] = {
    **{room: SCRAPY_LIKE | SQL | {"click", "redis"} for room in PURE},
    "contract": SQL | {"twisted", "click", "redis"},
    "storage": SCRAPY_LIKE | {"click", "redis", "datasette"},
    "datasette": SCRAPY_LIKE | {"click", "redis"},
    "crawl": {"click", "datasette"},
    "ingest": SCRAPY_LIKE | {"click", "redis", "datasette"},
}
# The crawl's modules that may open the database: the storage components (the pipeline in both
# modes and the writer), the incremental middleware (fetch state) and the Scrapy command and
# daemon that check the database before a crawl starts.
CRAWL_STORAGE_DOORS = {
    "crawler.crawl.pipelines.local",
    "crawler.crawl.distributed.writer",
    "crawler.crawl.incremental",
    "crawler.crawl.commands.crawl",
    "crawler.crawl.daemon",
    "crawler.crawl.sitemodels",  # the sites' boilerplate and title affixes, read once a run
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def where(module: str, line: int) -> str:
    path = MODULES[module]
    shown = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path
    return f"{shown}:{line}"


def room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    if len(parts) == 2 and parts[1] in CONTRACT:
        return "contract"
    if len(parts) == 2 and parts[1] in {"__main__", "addon"}:
        return "root"
    return parts[1]


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(module: str) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the module, ours resolved to the module file
    they name (`from crawler.storage import bandfilter` is the submodule, not the package)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append((sub if sub in MODULES else target, node.lineno))
    return out


def own_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _ in imports_of(module):
            if target in MODULES and target != module:
                graph[module].add(target)
    return graph


def test_rooms_import_only_rooms_below_them() -> None:
    wrong = []
    for module in MODULES:
        mine = room(module)
        for target, line in imports_of(module):
            if target == "crawler":
                continue  # the package's face: its version, importable from anywhere
            if target.split(".")[0] == "crawler":
                theirs = room(target)
                if theirs != mine and theirs not in ALLOWED[mine]:
                    wrong.append(f"{where(module, line)}: {mine} imports {target}")
            elif target.split(".")[0] in FORBIDDEN.get(mine, set()):
                wrong.append(f"{where(module, line)}: {mine} imports {target}")
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_the_crawl_reaches_storage_only_through_its_storage_components() -> None:
    wrong = [
        f"{module} imports {target}"
        for module in MODULES
        if room(module) == "crawl" and module not in CRAWL_STORAGE_DOORS
        for target, _ in imports_of(module)
        if target.startswith("crawler.storage")
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_circles() -> None:
    graph = own_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert not circles, f"import circles: {circles}"


def test_the_rules_catch_what_they_forbid(tmp_path: Path) -> None:
    """The checks above are only worth their rules: a storage module importing Scrapy, a pure
    module importing storage and a two-module circle are each caught."""
    global MODULES
    saved = MODULES
    fake = {
        "crawler.storage.bad": "import scrapy\n",
        "crawler.text.bad": "from crawler.storage import open_db\n",
        "crawler.extract.a": "from crawler.extract import b\n",
        "crawler.extract.b": "def f():\n    from crawler.extract.a import x\n",
    }
    try:
        MODULES = dict(saved)
        for name, source in fake.items():
            path = tmp_path / (name.replace(".", "_") + ".py")
            path.write_text(source)
            MODULES[name] = path
        with pytest.raises(AssertionError, match="storage imports scrapy"):
            test_rooms_import_only_rooms_below_them()
        with pytest.raises(AssertionError, match=r"text imports crawler\.storage"):
            test_rooms_import_only_rooms_below_them()
        with pytest.raises(AssertionError, match=r"crawler\.extract\.a"):
            test_no_import_circles()
    finally:
        MODULES = saved


@pytest.mark.parametrize(
    "package", ["crawler.text", "crawler.extract", "crawler.discovery", "crawler.schedule", "crawler.archive"]
)
def test_importing_a_pure_room_loads_no_scrapy_or_sql(package: str) -> None:
    """At run time too: importing every module of a pure room loads no Scrapy, Twisted or
    sqlite-utils, so tools and workers use them without the crawl's weight. (Storage does load
    Scrapy at run time, through `items.Article`, a Scrapy Item: the field list it writes.)"""
    names = [m for m in MODULES if m == package or m.startswith(package + ".")]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted', 'sqlite_utils'}))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
