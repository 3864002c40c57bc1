import importlib.util
from pathlib import Path

from svdw.config import REPO_DIR

spec = importlib.util.spec_from_file_location("make_env", REPO_DIR / "infra/local/make_env.py")
assert spec and spec.loader
make_env = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_env)


def test_generates_secrets_and_fills_references() -> None:
    values = make_env.render({"PW": "<generate>", "URL": "postgresql://u:<PW>@h/db"}, {})
    assert len(values["PW"]) == 64
    assert values["URL"] == f"postgresql://u:{values['PW']}@h/db"


def test_existing_values_are_kept_and_missing_appended(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("A=<generate>\nB=plain\n")
    (tmp_path / ".env").write_text("A=mine\n")
    make_env.main(tmp_path)
    assert make_env.parse((tmp_path / ".env").read_text().splitlines()) == {
        "A": "mine",
        "B": "plain",
    }


def test_every_example_variable_is_documented_in_the_example() -> None:
    example = make_env.parse((REPO_DIR / ".env.example").read_text().splitlines())
    for required in ("WAREHOUSE_URL", "AIRFLOW_URL", "AIRFLOW_ADMIN_USER", "AIRFLOW_ADMIN_PASSWORD",
                     "SUPERSET_URL", "SUPERSET_ADMIN_USER", "SUPERSET_ADMIN_PASSWORD"):  # fmt: skip
        assert required in example


def test_a_renamed_variable_keeps_the_old_value(tmp_path: Path) -> None:
    """An older .env with SVD_PSEUDONYM_KEY gets SVDW_PSEUDONYM_KEY with the same key: a fresh
    one would break linkage with every pseudonym loaded before."""
    (tmp_path / ".env.example").write_text("SVDW_PSEUDONYM_KEY=<generate>\n")
    (tmp_path / ".env").write_text("SVD_PSEUDONYM_KEY=the-old-key\n")
    make_env.main(tmp_path)
    values = make_env.parse((tmp_path / ".env").read_text().splitlines())
    assert values == {"SVD_PSEUDONYM_KEY": "the-old-key", "SVDW_PSEUDONYM_KEY": "the-old-key"}
