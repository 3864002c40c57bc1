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


# The template of an age X25519 identity (svdw.archive encrypts archived files to it).
AGE_IDENTITY = "<generate-age-identity>"
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if (top >> i) & 1 else 0
    return checksum


def bech32(hrp: str, data: bytes) -> str:
    """BIP 173 Bech32 (what age keys are written in), stdlib only: this runs before any venv."""
    bits = "".join(f"{byte:08b}" for byte in data)
    bits += "0" * (-len(bits) % 5)
    words = [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _bech32_polymod(expanded + words + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[w] for w in words + checksum)


def age_identity() -> str:
    """A fresh age X25519 identity: 32 random bytes (any are a valid scalar; X25519 clamps)."""
    return bech32("age-secret-key-", secrets.token_bytes(32)).upper()


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
        elif key not in values and template == AGE_IDENTITY:
            values[key] = age_identity()
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
