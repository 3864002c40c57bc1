"""Sample files for any contract, generated from the contract alone: its headers, delimiter and
encoding, each column's type, date format, allowed values, pattern and range. This is the
synthetic data of an extract that has no hand-written writer yet (a new partner's): every row it
writes passes the contract, so the loader, the ingestion DAG and the tests can run on it. It
knows nothing of the extract's meaning (no people, places or trends: see svdw.synthetic.world
for those).
"""

from __future__ import annotations

import csv
import fnmatch
import json
import random
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import rstr

from svdw.contracts import Column, Contract, read_code_list
from svdw.validation import RowValidator

# Unbounded repeats (+, *, {m,}) get at most this many more characters: samples stay readable.
MOST_EXTRA_REPEATS = 6
# Dates fall in the two years before this day; dates of birth 10 to 60 years before it.
LATEST_DAY = date(2025, 9, 30)
EVENT_DAYS = 730
ISO_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S", "time": "%H:%M:%S"}
# Share of optional values left empty: the loader must take an empty optional field.
EMPTY_SHARE = 0.1
TRIES = 50


class SampleError(ValueError):
    """The contract's rules cannot be met by a generated value (the message names the column)."""


def bounded_repeats(pattern: str, extra: int = MOST_EXTRA_REPEATS) -> str:
    """The pattern with every unbounded repeat bounded (`+` -> `{1,1+extra}`, `*` -> `{0,extra}`,
    `{m,}` -> `{m,m+extra}`); escapes and character classes are left as they are."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # a `]` first in a class (or after `^`) is a literal, not the class's end
            for literal_start in ("[]", "[^]"):
                if pattern.startswith(literal_start, index):
                    out.append(literal_start)
                    index += len(literal_start)
                    break
            else:
                out.append(char)
                index += 1
            continue
        elif char == "+":
            char = f"{{1,{1 + extra}}}"
        elif char == "*":
            char = f"{{0,{extra}}}"
        elif char == "{" and (open_ended := re.match(r"\{(\d+),\}", pattern[index:])):
            least = int(open_ended.group(1))
            out.append(f"{{{least},{least + extra}}}")
            index += open_ended.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


class ContractSampler:
    """Draws valid field values (as the partner writes them) for one contract's columns."""

    def __init__(self, contract: Contract, seed: int) -> None:
        self.contract = contract
        # A string seed is stable across runs and processes (unlike hash()).
        self.random = random.Random(f"{seed}:{contract.name}")
        self._xeger = rstr.Rstr(self.random)
        self._validator = RowValidator(contract)

    def row(self) -> list[str]:
        # Rules across columns (an outcome not before its offence, Age To at least Age From)
        # hold for a share of independent draws: draw again until the row passes.
        for _ in range(TRIES):
            row = [self.value(column) for column in self.contract.columns]
            if self._validator.validate(row)[1] is None:
                return row
        raise SampleError(f"{self.contract.name}: no row met the contract's rules in {TRIES} draws")

    def value(self, column: Column) -> str:
        if not column.required and self.random.random() < EMPTY_SHARE:
            return ""
        if column.allowed:
            return self.random.choice(column.allowed)
        if column.allowed_from:
            return self.random.choice(self._codes(column))
        if column.type == "text":
            return self._text(column)
        if column.type == "integer":
            low, high = self._bounds(column, 0, 100)
            return str(self.random.randint(int(low), int(high)))
        if column.type == "decimal":
            low, high = self._bounds(column, 0, 1000)
            return f"{self.random.uniform(low, high):.2f}"
        if column.type == "boolean":
            return self.random.choice((column.true_values[0], column.false_values[0]))
        if column.type == "month":
            return self._day(column).strftime("%Y-%m")
        return self._temporal(column)

    def _codes(self, column: Column) -> list[str]:
        """The official code list's codes that also match the column's pattern (sorted: the
        same seed gives the same file)."""
        assert column.allowed_from is not None
        source = column.allowed_from
        codes = sorted(
            code
            for code in read_code_list(source.code_list, source.column)
            if column.pattern is None or re.search(column.pattern, code)
        )
        if not codes:
            raise SampleError(f"{self.contract.name}.{column.name}: no code of {source.code_list}")
        return codes

    def _bounds(self, column: Column, low: float, high: float) -> tuple[float, float]:
        minimum, maximum = column.number_bounds
        lowest = minimum if minimum is not None else low
        highest = maximum if maximum is not None else max(high, lowest + high)
        if column.type == "integer":
            lowest, highest = float(int(-(-lowest // 1))), float(int(highest // 1))
        if lowest > highest:
            raise SampleError(f"{self.contract.name}.{column.name}: no value in its range")
        return lowest, highest

    def _text(self, column: Column) -> str:
        if column.pattern is None:
            if column.pseudonymise == "postcode_to_lsoa":
                # Postcode-shaped, and in no lookup: the row loads with no LSOA.
                return self._xeger.xeger(r"ZZ[0-9]{1,2} [0-9][A-Z]{2}")
            return f"{column.header} {self.random.randint(1, 99999)}"
        bounded = bounded_repeats(column.pattern)
        for _ in range(TRIES):
            text = self._xeger.xeger(bounded)
            if re.search(column.pattern, text):
                return text
        raise SampleError(
            f"{self.contract.name}.{column.name}: no string generated from the pattern "
            f"{column.pattern!r} matches it"
        )

    def _day(self, column: Column) -> date:
        if column.pseudonymise == "birth_year":
            return LATEST_DAY - timedelta(days=self.random.randint(10 * 365, 60 * 365))
        return LATEST_DAY - timedelta(days=self.random.randint(0, EVENT_DAYS))

    def _temporal(self, column: Column) -> str:
        moment = datetime.combine(self._day(column), time()) + timedelta(
            seconds=self.random.randrange(24 * 3600)
        )
        return moment.strftime(column.format or ISO_FORMATS[column.type])


def sample_rows(contract: Contract, rows: int, seed: int = 2023) -> list[list[str]]:
    """`rows` records (strings as the partner writes them) that pass the contract."""
    sampler = ContractSampler(contract, seed)
    return [sampler.row() for _ in range(rows)]


def sample_file_name(contract: Contract) -> str:
    """A file name the contract's file_glob matches (`*` and `?` filled in)."""
    name = contract.file_glob.replace("*", "synthetic-sample").replace("?", "0")
    name = re.sub(r"\[!?([^\]])[^\]]*\]", r"\1", name)  # a [set] becomes its first member
    if not fnmatch.fnmatch(name, contract.file_glob):
        raise SampleError(f"{contract.name}: cannot name a file its glob {contract.file_glob!r}")
    return name


def _feature_collection(contract: Contract, rows: list[list[str]]) -> dict[str, object]:
    """Rows as GeoJSON features: the geometry column's sampled text is replaced by a small
    square (about 1 km, in a row of squares west to east), the other fields become properties."""
    geometry_types = contract.geometry_types or ("Polygon",)
    features = []
    for i, row in enumerate(rows):
        west, south = -2.0 + 0.015 * i, 52.0
        ring: list[list[float]] = [[west, south], [west + 0.015, south], [west + 0.015, south + 0.01],
                [west, south + 0.01], [west, south]]  # fmt: skip
        kind = "Polygon" if "Polygon" in geometry_types else "MultiPolygon"
        coordinates: list[object] = [ring] if kind == "Polygon" else [[ring]]
        fields = dict(zip(contract.headers, row, strict=True))
        fields.pop("geometry")
        features.append(
            {
                "type": "Feature",
                "properties": {k: (v if v != "" else None) for k, v in fields.items()},
                "geometry": {
                    "type": kind,
                    "coordinates": coordinates,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def sample_from_contract(
    contract: Contract, out_dir: Path, rows: int = 200, seed: int = 2023
) -> Path:
    """Write one sample file for the contract to out_dir/<contract>/, in its header, delimiter
    and encoding; returns its path."""
    path = out_dir / contract.name / sample_file_name(contract)
    path.parent.mkdir(parents=True, exist_ok=True)
    if contract.format == "geojson":
        path.write_text(
            json.dumps(_feature_collection(contract, sample_rows(contract, rows, seed))),
            encoding=contract.encoding,
        )
        return path
    with path.open("w", encoding=contract.encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=contract.delimiter)
        writer.writerow(contract.headers)
        writer.writerows(sample_rows(contract, rows, seed))
    return path
