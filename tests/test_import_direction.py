"""Apps import downwards only, and no two source files import each other (docs/architecture.md, "The floors").

Each module's imports are read with ast (function-level imports too), so a new upward import or loop fails here
before it can make the next change harder.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

FLOORS = [
    {"lms"},
    {"content", "dataintegrity"},
    {"courses", "practice"},
    {"certificates"},
    {"verification", "overview"},
    {"accounts"},
    {"privacy", "audit"},
    {"dashboard"},
    {"demo"},
    {"bench"},
    {"config"},
]
"""Bottom to top: an app may import its own modules and any app on a lower floor, never one beside or above it."""

FLOOR_OF = {app: number for number, apps in enumerate(FLOORS) for app in apps}

KNOWN_UPWARD: dict[str, set[str]] = {}
"""Imports that still run upward, by file: each is debt to pay off; the test fails when one is paid and not removed."""

LOOPS_ALLOWED = [{"courses/models.py", "courses/selectors.py", "courses/navigation.py"}]
"""Wagtail's idiom: page models call their selectors (the lesson page's in navigation.py) in get_context, and the
selectors query those models."""


def source_files() -> list[Path]:
    """Every Python file of the apps, without migrations."""
    files = []
    for app in FLOOR_OF:
        folder = ROOT / app
        files += [path for path in folder.rglob("*.py") if "migrations" not in path.parts]
    return sorted(files)


def module_name(path: Path) -> str:
    """The dotted module a file defines (a package's __init__ is the package)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """The absolute modules a file imports anywhere in it (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def upward_imports(files: list[Path]) -> dict[str, set[str]]:
    """The apps each file imports from beside or above its own floor."""
    upward: dict[str, set[str]] = {}
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        app = relative.split("/")[0]
        for module in imported_modules(path):
            target = module.split(".")[0]
            if target in FLOOR_OF and target != app and FLOOR_OF[target] >= FLOOR_OF[app]:
                upward.setdefault(relative, set()).add(target)
    return upward


def file_loops(files: list[Path]) -> list[set[str]]:
    """Sets of files that import each other in a loop (strongly connected components of two or more files)."""
    by_module = {module_name(path): path.relative_to(ROOT).as_posix() for path in files}
    edges = {
        by_module[module_name(path)]: {by_module[name] for name in imported_modules(path) if name in by_module}
        - {by_module[module_name(path)]}
        for path in files
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return loops


def test_every_app_has_a_floor():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"bench", "config", "dataintegrity"}
    assert apps <= set(FLOOR_OF), f"give these apps a floor in FLOORS: {sorted(apps - set(FLOOR_OF))}"


def test_the_kernel_imports_no_app():
    kernel = [path for path in source_files() if path.relative_to(ROOT).parts[0] == "lms"]
    reached = {
        path.relative_to(ROOT).as_posix(): {module.split(".")[0] for module in imported_modules(path)}
        & set(FLOOR_OF) - {"lms"}
        for path in kernel
    }
    assert not {file: apps for file, apps in reached.items() if apps}


def test_apps_import_only_downwards():
    upward = upward_imports(source_files())
    new = {file: apps - KNOWN_UPWARD.get(file, set()) for file, apps in upward.items()}
    new = {file: apps for file, apps in new.items() if apps}
    assert not new, f"imports from an app beside or above the importing one (see docs/architecture.md): {new}"
    paid = {file: apps - upward.get(file, set()) for file, apps in KNOWN_UPWARD.items()}
    paid = {file: apps for file, apps in paid.items() if apps}
    assert not paid, f"these upward imports are gone: take them out of KNOWN_UPWARD: {paid}"


def test_no_two_files_import_each_other():
    loops = [loop for loop in file_loops(source_files()) if loop not in LOOPS_ALLOWED]
    assert not loops, f"files that import each other in a loop: {loops}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from certificates.services import certificates_check\n", {"practice/services.py": {"certificates"}}),
        ("from courses.models import CoursePage\n", {"practice/services.py": {"courses"}}),  # beside: not allowed
        ("def f():\n    from accounts import models\n", {"practice/services.py": {"accounts"}}),
        ("from lms.access import rule\nfrom practice import rules\n", {}),
    ],
)
def test_the_check_sees_upward_imports(tmp_path, monkeypatch, source, expected):
    fake = tmp_path / "practice" / "services.py"
    fake.parent.mkdir()
    fake.write_text(source)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert upward_imports([fake]) == expected


def test_the_check_sees_loops(tmp_path, monkeypatch):
    (tmp_path / "courses").mkdir()
    (tmp_path / "courses" / "a.py").write_text("from courses import b\n")
    (tmp_path / "courses" / "b.py").write_text("def late():\n    from courses.a import thing\n")
    (tmp_path / "courses" / "c.py").write_text("from courses.a import thing\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    files = sorted((tmp_path / "courses").glob("*.py"))
    assert file_loops(files) == [{"courses/a.py", "courses/b.py"}]


# The export, closing an account and the trails read what each app registered (lms/personal_data.py,
# lms/closing.py, lms/trail.py), never its models.
REGISTRY_READERS = [
    "privacy/export.py",
    "privacy/services.py",
    "privacy/closure_preview.py",
    "privacy/closers.py",
    "audit/trails.py",
    "audit/events.py",
    "audit/names.py",
]
DOMAIN_APPS = {"accounts", "courses", "practice", "certificates", "verification"}


def test_the_export_closing_and_the_trails_read_only_what_apps_registered():
    reached = {
        name: {module.split(".")[0] for module in imported_modules(ROOT / name)} & DOMAIN_APPS
        for name in REGISTRY_READERS
    }
    assert not {name: apps for name, apps in reached.items() if apps}


LONGEST_SOURCE_FILE = 500


def test_no_source_file_is_over_500_lines():
    """Long modules are split by job (migrations and tests aside)."""
    lengths = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines()) for path in source_files()
    }
    assert {name: lines for name, lines in lengths.items() if lines > LONGEST_SOURCE_FILE} == {}
