"""Write .env from .env.example when .env is missing: generate secrets, fill references.

Runs with the system Python (stdlib only) before any virtualenv exists. An existing .env is
never overwritten; variables added to .env.example later are appended to it. A renamed variable
(RENAMED) takes the value of its old name when .env has that one: a regenerated pseudonymisation
key would break linkage with everything loaded before.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

REFERENCE = re.compile(r"<([A-Z][A-Z0-9_]*)>")
# new name -> old name (svdw.config still reads the old one, with a deprecation warning)
RENAMED = {"SVDW_PSEUDONYM_KEY": "SVD_PSEUDONYM_KEY"}


def parse(lines: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def render(example: dict[str, str], existing: dict[str, str]) -> dict[str, str]:
    values = dict(existing)
    for key, old in RENAMED.items():
        if key in example and key not in values and old in existing:
            values[key] = existing[old]
    for key, template in example.items():
        if key not in values and template == "<generate>":
            values[key] = secrets.token_hex(32)
    for key, template in example.items():
        if key not in values:
            values[key] = REFERENCE.sub(lambda m: values[m.group(1)], template)
    return values


def main(repo: Path) -> int:
    example_path, env_path = repo / ".env.example", repo / ".env"
    example = parse(example_path.read_text().splitlines())
    existing = parse(env_path.read_text().splitlines()) if env_path.exists() else {}
    missing = [key for key in example if key not in existing]
    if not missing:
        return 0
    values = render(example, existing)
    with env_path.open("a") as out:
        if not existing:
            out.write("# Written by `make env` from .env.example; local secrets, never commit.\n")
        for key in missing:
            out.write(f"{key}={values[key]}\n")
    env_path.chmod(0o600)
    print(f"{env_path.name}: wrote {len(missing)} setting(s): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()))
