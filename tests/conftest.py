from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infoops.store import Case

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Real third-party data lives beside the repository (../shared/data); tests that
# read it are integration tests and skip when it is absent.
SHARED_DATA = Path(
    __import__("os").environ.get("INFOOPS_SHARED_DATA", str(REPO.parent / "shared" / "data"))
)


def shared_file(rel: str) -> Path:
    p = SHARED_DATA / rel
    if not p.exists():
        pytest.skip(f"integration data {p} is absent (../shared/data not laid out here)")
    return p


@pytest.fixture
def fresh_case() -> Iterator[Case]:
    case = Case.memory()
    yield case
    case.close()


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    return tmp_path / "case"
