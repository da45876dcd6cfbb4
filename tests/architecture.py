"""The house rules of `service/`, read from the source with `ast`: which package may import which,
where SQL may be written, what pure modules may touch. `tests/unit/test_architecture.py` runs
them over the code and over small made-up modules that break each rule once."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from service.common.codes import BOOKING_STATUSES

#: The layers, lowest first. A package may import packages of lower layers only (and itself).
#: Root modules are named with a leading ":" (`:db` is `service/db.py`).
LAYERS: list[set[str]] = [
    {":db", ":errors", ":settings", ":embedded_db", ":migrate", ":piccolo_app"},
    {"common"},
    {"outbox", "audit"},
    {"accounts"},
    {"evaluators", "affiliation"},
    {"sso"},
    {"search"},
    {"policies"},
    {"catalog"},
    {"availability"},
    {"bookings"},
    {"usage"},
    {"calendars", "metrics"},
    {"notifications"},
    {"enterprises", "registry", "surveys"},
    {"onboarding"},
    {"ops"},
    {"scheduler"},
    {"web"},
    {"demo"},
    {":app"},
    {":asgi", ":cli"},
    {":__main__", ":__init__"},
]
RANK = {name: n for n, layer in enumerate(LAYERS) for name in layer}

#: Modules that decide without doing: no database, network, processes or clock.
PURE_NAMES = re.compile(r"^(rules|\w+_rules|schemas|sql)$")
IO_MODULES = ("asyncpg", "httpx", "aiosmtplib", "smtplib", "socket", "subprocess", "service.db")
#: Reading the clock: `utcnow()`, `datetime.now()`, `date.today()`, `time.time()` ….
CLOCK_CALLS = {"utcnow", "now", "today", "monotonic", "perf_counter"}
#: The modules that may hold SQL text: a package's `sql.py` (the strings) and `store.py`.
SQL_HOMES = {"sql", "store"}
#: SQL as this code base writes it: keywords in capitals (prose that says "select … from" is not).
SQL = re.compile(
    r"\b(SELECT\s[\s\S]+?\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+(\s+(AS\s+)?\w+)?\s+SET\s|DELETE\s+FROM\s"
    r"|JOIN\s+\w+(\s+\w+)?\s+ON\s)"
)


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    rule: str
    module: str
    detail: str


@dataclass(frozen=True, slots=True)
class Module:
    name: str  # dotted, e.g. service.bookings.store
    tree: ast.Module

    @property
    def package(self) -> str:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 2 else ":" + parts[-1]

    @property
    def leaf(self) -> str:
        return self.name.rsplit(".", 1)[-1]


def load(root: Path) -> list[Module]:
    out = []
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        out.append(Module(name.removesuffix(".__init__"), ast.parse(path.read_text("utf-8"))))
    return out


def imports(module: Module) -> Iterator[str]:
    """Every module it imports, at any depth of the code (lazy imports count too)."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def package_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "service" or len(parts) < 2:
        return None
    return f":{parts[1]}" if f":{parts[1]}" in RANK else parts[1]


def layering(modules: Iterable[Module]) -> Iterator[Violation]:
    for module in modules:
        own = module.package
        for target in {package_of(name) for name in imports(module)} - {None, own}:
            assert target is not None
            if own not in RANK or target not in RANK:
                yield Violation("unknown-package", module.name, target if own in RANK else own)
            elif RANK[target] >= RANK[own]:
                yield Violation("layering", module.name, f"imports {target}")


def cycles(modules: Iterable[Module]) -> Iterator[Violation]:
    """Strongly connected groups of packages (Tarjan), each reported once."""
    graph: dict[str, set[str]] = {}
    for module in modules:
        targets = {package_of(name) for name in imports(module)} - {None, module.package}
        graph.setdefault(module.package, set()).update(t for t in targets if t)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    for group in found:
        yield Violation("cycle", " <-> ".join(group), "packages import each other")


def sql_outside_homes(modules: Iterable[Module]) -> Iterator[Violation]:
    for module in modules:
        if module.leaf in SQL_HOMES:
            continue
        for node in ast.walk(module.tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and SQL.search(text):
                yield Violation("sql-outside-sql-py", module.name, "SQL text")
                break


def web_reaches_storage(modules: Iterable[Module]) -> Iterator[Violation]:
    for module in modules:
        if module.package != "web":
            continue
        for name in imports(module):
            parts = name.split(".")
            if parts[0] == "service" and set(parts[2:]) & SQL_HOMES or name == "asyncpg":
                yield Violation("web-imports-storage", module.name, name)


def impure_pure_modules(modules: Iterable[Module]) -> Iterator[Violation]:
    for module in modules:
        if not PURE_NAMES.match(module.leaf) or module.name.startswith("service.common"):
            continue
        for name in set(imports(module)):
            if name.startswith(IO_MODULES) or name.endswith(".store"):
                yield Violation("pure-module-io", module.name, f"imports {name}")
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(getattr(func, "value", None), "id", "")
                if called in CLOCK_CALLS or (owner, called) == ("time", "time"):
                    yield Violation("pure-module-clock", module.name, f"calls {called}()")


#: Positional parameters a function may take before the rest must be passed by keyword.
MAX_POSITIONAL = 4


def long_positional_lists(modules: Iterable[Module]) -> Iterator[Violation]:
    """Beyond four, arguments are passed by name (`*` in the signature), so a call says what
    each value is and two swapped ids of the same type cannot go unnoticed."""
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args.posonlyargs + node.args.args
                named = [a.arg for a in args if a.arg not in ("self", "cls")]
                if len(named) > MAX_POSITIONAL:
                    yield Violation("positional-params", module.name, f"{node.name}()")


#: SQL fragments that have one definition, and the function that writes them. A literal copy
#: anywhere else (even in that package's own `sql.py`) is refused: copies drift apart.
SHARED_FRAGMENTS: dict[str, re.Pattern[str]] = {
    "service.common.sql.zone_join": re.compile(
        r"JOIN\s+institution\s+(\w+)\s+ON\s+\1\.id\s*=\s*\w+\.institution_id\s+"
        r"JOIN\s+region\s+(\w+)\s+ON\s+\2\.code\s*=\s*\1\.region_code"
    ),
    "service.policies.sql.effective_policy": re.compile(
        r"FROM\s+booking_policy\s+\w+\s+WHERE\s+\w+\.instrument_id\s*=\s*\w+\.id\s+OR\s"
    ),
}


def copied_fragments(modules: Iterable[Module]) -> Iterator[Violation]:
    """A literal copy of a shared SQL fragment, or a second `$n` placeholder counter (an
    f-string `"${len(...)}"`) beside `service.common.sql.Params`."""
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for home, pattern in SHARED_FRAGMENTS.items():
                    if pattern.search(node.value):
                        yield Violation("copied-fragment", module.name, f"use {home}")
            elif _is_placeholder_counter(node) and module.name != "service.common.sql":
                yield Violation("copied-fragment", module.name, "use service.common.sql.Params")


def _is_placeholder_counter(node: ast.AST) -> bool:
    if not isinstance(node, ast.JoinedStr) or len(node.values) != 2:
        return False
    head, value = node.values
    return (
        isinstance(head, ast.Constant)
        and head.value == "$"
        and isinstance(value, ast.FormattedValue)
        and isinstance(value.value, ast.Call)
        and getattr(value.value.func, "id", "") == "len"
    )


#: Where HTTP handlers may be declared: a package's `routes` / `routes_<topic>`, and the web
#: package's `pages_<topic>`.
HANDLER_HOMES = re.compile(r"^(routes|routes_\w+|pages_\w+)$")
HANDLER_DECORATORS = {"get", "post", "put", "patch", "delete", "route", "websocket"}


def handlers_outside_routes(modules: Iterable[Module]) -> Iterator[Violation]:
    """A handler in a module of another role ("service", "public", "views"…) hides the HTTP
    surface of a package: every endpoint is found by opening its `routes` modules."""
    for module in modules:
        if HANDLER_HOMES.match(module.leaf) and (
            module.package == "web" or not module.leaf.startswith("pages_")
        ):
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    func = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    if name in HANDLER_DECORATORS:
                        yield Violation("handler-outside-routes", module.name, f"{node.name}()")


#: The booking statuses, whose named sets live in `service.common.codes` only.
STATUS_WORDS = set(BOOKING_STATUSES)
SQL_STATUS_LIST = re.compile(r"\bIN\s*\(\s*'(\w+)'((?:\s*,\s*'\w+')+)\s*\)")


def copied_code_lists(modules: Iterable[Module]) -> Iterator[Violation]:
    """A set of booking statuses written out (a tuple, list or set of two or more, or an SQL
    `IN ('…', '…')`) anywhere but `service.common.codes`: such copies drifted apart before
    ("active" meant three different sets). Use a named set and `sql_in`."""
    for module in modules:
        if module.name == "service.common.codes":
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Tuple | ast.List | ast.Set) and len(node.elts) >= 2:
                words = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                if len(words) == len(node.elts) and set(words) <= STATUS_WORDS:
                    yield Violation("copied-code-list", module.name, ", ".join(map(str, words)))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                for match in SQL_STATUS_LIST.finditer(node.value):
                    quoted = {match.group(1), *re.findall(r"'(\w+)'", match.group(2))}
                    if quoted <= STATUS_WORDS:
                        yield Violation("copied-code-list", module.name, match.group(0))


CHECKS = (
    layering,
    cycles,
    sql_outside_homes,
    web_reaches_storage,
    impure_pure_modules,
    long_positional_lists,
    copied_fragments,
    handlers_outside_routes,
    copied_code_lists,
)


def violations(modules: list[Module]) -> set[Violation]:
    return {v for check in CHECKS for v in check(modules)}
