"""Remote file names a connector will not write into landing."""

from __future__ import annotations

import pytest

from svdw.connectors.names import name_problem, shown


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../../etc/cron.d/x-street.csv", "path separator"),
        ("..\\..\\x-street.csv", "path separator"),
        ("..", "relative"),
        ("a..b/../x.csv", "path separator"),
        ("x.csv.", None),
        (".hidden-street.csv", "leading dot"),
        ("2024-05\n-street.csv", "U+000A"),
        ("2024-05-\x1b[2J-street.csv", "U+001B"),
        ("2024-05-street\u202evsc.exe", "U+202E"),  # right-to-left override
        ("x" * 300 + ".csv", "more than 255 bytes"),
        ("2024-05-hertfordshire-street.csv", None),
    ],
)
def test_unsafe_names_are_refused_with_the_reason(name: str, problem: str | None) -> None:
    found = name_problem(name)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_a_name_is_shown_escaped_and_bounded() -> None:
    assert shown("a\nb") == "'a\\nb'"
    assert len(shown("y" * 500)) == 80
