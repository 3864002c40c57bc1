"""The collection hook in conftest refuses tests whose markers do not say what they need."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import marker_problems

TESTS = Path(__file__).resolve().parents[1]
INTEGRATION, E2E, UNIT = TESTS / "integration", TESTS / "e2e", TESTS / "unit"


@dataclass
class CollectedTest:
    """What the hook reads of a collected pytest item."""

    path: Path
    name: str
    marks: list[str] = field(default_factory=list)
    fixturenames: list[str] = field(default_factory=list)

    def iter_markers(self) -> Iterator[SimpleNamespace]:
        return (SimpleNamespace(name=name) for name in self.marks)


def test_well_marked_tests_pass() -> None:
    items = [
        CollectedTest(INTEGRATION / "test_x.py", "test_a", ["integration"], ["warehouse_url"]),
        CollectedTest(E2E / "test_y.py", "test_b", ["e2e"]),
        CollectedTest(INTEGRATION / "test_z.py", "test_c", ["integration", "realdata"], ["realdata"]),  # noqa: E501
        CollectedTest(UNIT / "test_u.py", "test_d", [], ["tmp_path"]),
    ]  # fmt: skip
    assert marker_problems(items) == []  # type: ignore[arg-type]


def test_a_missing_marker_is_named() -> None:
    items = [
        CollectedTest(INTEGRATION / "test_x.py", "test_a"),
        CollectedTest(E2E / "test_y.py", "test_b", ["integration"]),
        CollectedTest(INTEGRATION / "test_z.py", "test_c", ["integration"], ["realdata"]),
        CollectedTest(UNIT / "test_u.py", "test_d", [], ["make_database"]),
    ]  # fmt: skip
    assert marker_problems(items) == [  # type: ignore[arg-type]
        "e2e/test_y.py: mark it `pytestmark = pytest.mark.e2e`",
        "integration/test_x.py: mark it `pytestmark = pytest.mark.integration`",
        "integration/test_z.py::test_c: uses real data, mark it `realdata`",
        "unit/test_u.py::test_d: needs a database, so it is no unit test",
    ]


def test_every_collected_test_is_marked(request: pytest.FixtureRequest) -> None:
    assert marker_problems(request.session.items) == []
