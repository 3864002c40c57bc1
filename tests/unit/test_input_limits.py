"""Per-contract input caps: what they say when broken, and how a contract sets them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from svdw.contracts import CONTRACTS_DIR, ContractError, read_contract
from svdw.input_limits import (
    GIB,
    InputLimits,
    field_label,
    file_too_large,
    long_field,
    open_field_index,
    record_too_long,
    truncated,
)

HEADERS = ("Crime ID", "Month", "Location")


def test_a_contract_sets_its_limits_and_a_typo_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load((CONTRACTS_DIR / "police_uk_street.yml").read_text())
    data["limits"] = {"max_file_bytes": 10 * GIB, "max_field_chars": 2000}
    path = tmp_path / "police_uk_street.yml"
    path.write_text(yaml.safe_dump(data))
    limits = read_contract(path).limits
    assert (limits.max_file_bytes, limits.max_field_chars) == (10 * GIB, 2000)
    assert limits.max_record_chars == InputLimits().max_record_chars  # the default stands
    data["limits"] = {"max_field_bytes": 2000}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContractError, match=r"limits\.max_field_bytes"):
        read_contract(path)


def test_the_default_file_cap_takes_the_largest_real_extract_and_refuses_5_gb() -> None:
    assert file_too_large(900 * 2**20, InputLimits()) is None
    assert file_too_large(5 * GIB, InputLimits()) == (
        "the file is 5,368,709,120 bytes (5.0 GiB), more than this contract's max_file_bytes"
        " 2,147,483,648 (2.0 GiB); nothing was read"
    )


def test_the_open_field_is_found_past_quoted_delimiters() -> None:
    assert open_field_index('abc,"2024-05,x",On or near', ",") == 2
    assert open_field_index('abc,"never closed, and on\nand on', ",") == 1
    assert field_label(HEADERS, 2) == "field 'Location' (column 3)"
    assert field_label(HEADERS, 5) == "field in column 6 (the header has 3)"


def test_a_record_too_long_names_line_field_and_a_likely_quote() -> None:
    one_line = record_too_long(7, "a,2024-05,xxxx", HEADERS, ",", 10)
    assert one_line.startswith("line 7, field 'Location' (column 3): the record is longer than 10")
    assert "never closed" not in one_line
    assert "a quote that is never closed" in record_too_long(7, 'a,"b\nc\n', HEADERS, ",", 10)


def test_only_a_field_over_the_cap_is_reported() -> None:
    assert long_field(["a", "b" * 10, "c"], HEADERS, 10) is None
    assert long_field(["a", "b" * 11, "c"], HEADERS, 10) == (
        "field 'Month' (column 2): 11 characters, more than this contract's max_field_chars 10"
    )


def test_truncated_text_keeps_the_head_and_says_what_is_missing() -> None:
    assert truncated("short", 10) == "short"
    assert (
        truncated("x" * 25, 10) == "x" * 10 + " [... truncated: 15 more characters of 25 not kept]"
    )
