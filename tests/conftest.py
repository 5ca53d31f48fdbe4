from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"

needs_shared = pytest.mark.skipif(not SEEDS.exists(), reason="../shared is not present")


@pytest.fixture(scope="session")
def seed_pair() -> tuple[str, str]:
    if not SEEDS.exists():
        pytest.skip("../shared/seeds is not present")
    a = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    b = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    return a, b


@pytest.fixture(scope="session")
def wire_pair() -> tuple[str, str]:
    """Our own small fixture: a paper's edited, reordered copy of a wire story."""
    return ((FIXTURES / "paper.txt").read_text(encoding="utf-8"),
            (FIXTURES / "wire.txt").read_text(encoding="utf-8"))
