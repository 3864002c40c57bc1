"""An age identity for tests that file partner files away: archived and rejected files are
written only encrypted (svdw.archive), so a Settings without a key refuses to archive."""

from __future__ import annotations

from pyrage import x25519

IDENTITY = str(x25519.Identity.generate())
