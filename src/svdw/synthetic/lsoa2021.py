"""The 2021 LSOAs of the synthetic world: which 2011 LSOAs were split or merged in 2021.

ONS redrew about 5% of LSOAs for 2021: large ones split (S), small neighbours merged (M), the
rest kept their code (U). A synthetic county gets a few of each, so the warehouse's mapping of
2011 codes to 2021 LSOAs is exercised; the real Hertfordshire geography (reference_dir) is kept
unchanged (its real lookup is not among the reference files).

    changes = LsoaChanges(world.geography)
    changes.lsoas_2021                # list[Lsoa2021], in 2011 order
    changes.lookup_rows()             # (2011 code, 2011 name, 2021 code, 2021 name, CHGIND)
    changes.code_2021(code, key)      # the 2021 LSOA a record in a 2011 LSOA falls in
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from svdw.synthetic.world import Geography, Lsoa, World

SYNTHETIC_PREFIX = "E0190"  # synthetic 2011 LSOA codes; real ones are never redrawn here
NEW_CODE_PREFIX = "E0195"  # codes of 2021 LSOAs that a split or a merge created
SPLIT_EVERY, SPLIT_AT, MERGE_AT = 97, 11, 50
SPLIT_SHARE = 0.55  # the first part of a split keeps this share of the residents


@dataclass(frozen=True, slots=True)
class Lsoa2021:
    code: str
    name: str
    change: str  # U, S or M
    parents: tuple[Lsoa, ...]
    share: float  # share of its (single) parent's residents; 1.0 unless split
    district_code: str
    district_name: str


def _seq(a: Lsoa) -> int:
    """A synthetic LSOA's serial number; -1 for a real code (never split or merged here)."""
    return int(a.code[5:]) if a.code.startswith(SYNTHETIC_PREFIX) else -1


class LsoaChanges:
    def __init__(self, geography: Geography) -> None:
        self.lsoas_2021: list[Lsoa2021] = []
        self._of_2011: dict[str, list[Lsoa2021]] = {}
        lsoas = geography.lsoas
        partner = self._merge_partners(lsoas)
        merged_into: dict[str, Lsoa2021] = {}
        serial = 0
        for a in lsoas:
            if a.code in merged_into:  # the second half of a merge: already placed
                self._of_2011[a.code] = [merged_into[a.code]]
            elif _seq(a) % SPLIT_EVERY == SPLIT_AT:
                parts = []
                for letter, share in (("E", SPLIT_SHARE), ("F", 1 - SPLIT_SHARE)):
                    serial += 1
                    parts.append(self._new(a, (a,), "S", share, serial, letter))
                self._add(a, parts)
            elif a.code in partner:
                serial += 1
                merged = self._new(a, (a, partner[a.code]), "M", 1.0, serial, "G")
                merged_into[partner[a.code].code] = merged
                self._add(a, [merged])
            else:
                self._add(
                    a, [Lsoa2021(a.code, a.name, "U", (a,), 1.0, a.district_code, a.district_name)]
                )

    @staticmethod
    def _merge_partners(lsoas: list[Lsoa]) -> dict[str, Lsoa]:
        """LSOA chosen to merge -> the next LSOA of its ward (neither split nor merged yet)."""
        partners: dict[str, Lsoa] = {}
        taken: set[str] = set()
        for i, a in enumerate(lsoas):
            if _seq(a) % SPLIT_EVERY != MERGE_AT or a.code in taken:
                continue
            for b in lsoas[i + 1 : i + 20]:
                if b.ward_code == a.ward_code and _seq(b) % SPLIT_EVERY not in (SPLIT_AT, MERGE_AT):
                    partners[a.code] = b
                    taken.update((a.code, b.code))
                    break
        return partners

    @staticmethod
    def _new(
        a: Lsoa, parents: tuple[Lsoa, ...], change: str, share: float, serial: int, letter: str
    ) -> Lsoa2021:
        return Lsoa2021(
            code=f"{NEW_CODE_PREFIX}{serial:04d}",
            name=f"{a.name[:-1]}{letter}",
            change=change,
            parents=parents,
            share=share,
            district_code=a.district_code,
            district_name=a.district_name,
        )

    def _add(self, a: Lsoa, parts: list[Lsoa2021]) -> None:
        self._of_2011[a.code] = parts
        self.lsoas_2021.extend(parts)

    def lookup_rows(self) -> list[tuple[str, str, str, str, str]]:
        """The ONS lookup's rows: one per overlapping (2011, 2021) pair."""
        rows = []
        for new in self.lsoas_2021:
            for parent in new.parents:
                rows.append((parent.code, parent.name, new.code, new.name, new.change))
        return sorted(rows)

    def parts_of(self, code_2011: str) -> list[Lsoa2021]:
        return self._of_2011[code_2011]

    def code_2021(self, code_2011: str, key: str) -> Lsoa2021:
        """The 2021 LSOA of a record in a 2011 LSOA: for a split, a stable choice by the
        record's key, weighted by the parts' shares."""
        parts = self._of_2011[code_2011]
        if len(parts) == 1:
            return parts[0]
        point = (zlib.crc32(key.encode()) % 1000) / 1000
        return parts[0] if point < parts[0].share else parts[1]


def lsoa_changes(world: World) -> LsoaChanges:
    """The world's 2021 LSOAs (built once per world)."""
    cache: dict[str, LsoaChanges] = world.__dict__.setdefault("_lsoa_changes", {})
    if "all" not in cache:
        cache["all"] = LsoaChanges(world.geography)
    return cache["all"]
