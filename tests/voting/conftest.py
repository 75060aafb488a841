"""Where the test data lives: our own small .pb fixtures, and the shared Pabulib folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]


def pabulib_dir() -> Path:
    return Path(os.environ.get("LINLI_PABULIB_DIR") or REPO.parent / "shared" / "pabulib")


def pabulib_file(name: str) -> Path:
    """The shared file, or a skip saying where we looked."""
    path = pabulib_dir() / name
    if not path.is_file():
        pytest.skip(f"Pabulib file {name} not found in {pabulib_dir()} (set LINLI_PABULIB_DIR)")
    return path
