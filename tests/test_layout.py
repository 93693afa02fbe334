"""The dependency rules of the layout, read from the source: the apps depend one way
(logs <- keys <- apis <- applications, and keys <- users <- applications; `logs`, the
Auth0 log events every surface records, is at the bottom) and config/'s plumbing
imports no app outside its URL modules."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("logs", "keys", "apis", "applications", "users")


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def test_config_plumbing_imports_no_app():
    plumbing = [p for p in modules("config") if not p.name.endswith("urls.py")]
    assert plumbing, "config/ has plumbing modules"
    offenders = {p.name: imported_roots(p) & set(APPS) for p in plumbing}
    assert {name: apps for name, apps in offenders.items() if apps} == {}


def test_the_url_modules_are_where_config_meets_the_apps():
    urls = [p for p in modules("config") if p.name.endswith("urls.py")]
    assert any(imported_roots(p) & set(APPS) for p in urls)


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [
        ("logs", {"keys", "apis", "applications", "users"}),
        ("keys", {"apis", "applications", "users"}),
        ("apis", {"applications", "users"}),
        ("users", {"apis", "applications"}),
    ],
)
def test_apps_depend_one_way(app, forbidden):
    offenders = {
        p.relative_to(ROOT).as_posix(): imported_roots(p) & forbidden for p in modules(app)
    }
    assert {name: apps for name, apps in offenders.items() if apps} == {}
