"""The layer contract: imports flow one way, app.py/pages -> ui -> services -> models, voting.
The demo street (``demo``) sits beside the screens: it is loaded through the services.

Every import statement of every module is read from the source (function-level ones too), so
an import that runs back up, or a framework where it does not belong, fails here.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("app", "pages", "ui", "services", "models", "voting", "migrations", "demo", "tests")
# What each layer may import from the project: itself and what lies below it. models and
# voting are the two bottoms: neither knows the other.
MAY_IMPORT: dict[str, set[str]] = {
    "app": {"pages", "ui", "services", "models", "voting", "demo"},
    "pages": {"pages", "ui", "services", "models", "voting", "demo"},
    "demo": {"demo", "services", "models", "voting"},
    "ui": {"ui", "services", "models", "voting"},
    "services": {"services", "models", "voting"},
    "models": {"models"},
    "voting": {"voting"},
    "migrations": {"models"},
}
FORBIDDEN_FRAMEWORKS: dict[str, set[str]] = {
    "services": {"streamlit", "altair"},
    "demo": {"streamlit", "altair"},
    "models": {"streamlit", "altair"},
    "voting": {"streamlit", "altair", "sqlmodel", "sqlalchemy", "alembic"},
    "migrations": {"streamlit", "altair"},
}


def _layer_files(layer: str) -> list[Path]:
    if layer == "app":
        return [ROOT / "app.py"]
    return sorted((ROOT / layer).rglob("*.py"))


def _imported_roots(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.add((path.relative_to(ROOT).parts[0], node.lineno))  # relative: own package
    return found


@pytest.mark.parametrize("layer", list(MAY_IMPORT))
def test_imports_flow_one_way(layer: str) -> None:
    allowed = MAY_IMPORT[layer]
    forbidden = FORBIDDEN_FRAMEWORKS.get(layer, set())
    wrong = []
    for path in _layer_files(layer):
        for root, line in _imported_roots(path):
            if (root in PROJECT and root not in allowed) or root in forbidden:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {root}")
    assert not wrong


def test_the_contract_sees_every_layer() -> None:
    """Else a layer with no files (a typo, a move) would pass by having nothing to check."""
    counts = {layer: len(_layer_files(layer)) for layer in MAY_IMPORT}
    assert all(count > 0 for count in counts.values()), counts
    services = {root for path in _layer_files("services") for root, _ in _imported_roots(path)}
    assert {"models", "voting", "sqlmodel"} <= services  # the scan reads real imports
