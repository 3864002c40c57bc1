"""The landing rule: only complete names load, and a re-delivery waits beside its file."""

from __future__ import annotations

from pathlib import Path

from svdw.landing import REDELIVERED, arrival_path, is_complete, waiting_files


def test_temporary_names_are_never_complete() -> None:
    assert is_complete(Path("2024-05-herts-street.csv"))
    for name in (".2024-05-herts-street.csv", "2024-05-herts-street.csv.part", "x.csv.filepart"):
        assert not is_complete(Path(name)), name


def test_a_redelivery_goes_beside_a_waiting_file_and_loads_after_it(tmp_path: Path) -> None:
    name = "2024-05-herts-street.csv"
    first = arrival_path(tmp_path, name)
    assert first == tmp_path / name
    first.write_text("first")
    second = arrival_path(tmp_path, name)
    assert second == tmp_path / REDELIVERED / "0001" / name
    second.parent.mkdir(parents=True)
    second.write_text("second")
    third = arrival_path(tmp_path, name)
    assert third == tmp_path / REDELIVERED / "0002" / name
    first.unlink()  # the first was loaded: a later one must still queue after the second
    assert arrival_path(tmp_path, name) == third
    (tmp_path / "2024-04-herts-street.csv").write_text("april")
    (tmp_path / f".{name}.1234.part").write_text("partial")
    assert waiting_files(tmp_path, "*-street.csv") == [
        tmp_path / "2024-04-herts-street.csv",
        second,
    ]


def test_a_directory_load_takes_a_redelivery_after_its_file(tmp_path: Path) -> None:
    from svdw.loader import loading_order

    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    header += "LSOA name,Crime type,Last outcome category,Context\n"
    name = "west-herts-2024-05-street.csv"  # sorts after "redelivered/" as a path
    paths = [tmp_path / REDELIVERED / "0001" / name, tmp_path / name]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header)
    assert loading_order(paths) == paths[::-1]
