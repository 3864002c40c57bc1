"""The partnership's own words for its SNA document: name, logo and wording, from
`partnership.yml` beside the templates (the partnership edits both; docs/report.md)."""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CONFIG_FILE = "partnership.yml"


@dataclass(frozen=True)
class PartnershipConfig:
    name: str
    logo_path: Path | None
    wording: dict[str, str] = field(default_factory=dict)

    def logo_data_uri(self) -> str | None:
        """The logo embedded in the page (no file beside the HTML, no URL to fetch)."""
        if self.logo_path is None or not self.logo_path.is_file():
            return None
        mime = mimetypes.guess_type(self.logo_path.name)[0] or "application/octet-stream"
        return f"data:{mime};base64," + base64.b64encode(self.logo_path.read_bytes()).decode()


def load_config(templates_dir: Path) -> PartnershipConfig:
    data = yaml.safe_load((templates_dir / CONFIG_FILE).read_text()) or {}
    logo = data.get("logo")
    return PartnershipConfig(
        name=str(data.get("name") or "Serious Violence Duty partnership"),
        logo_path=(templates_dir / logo).resolve() if logo else None,
        wording={str(k): str(v) for k, v in (data.get("wording") or {}).items()},
    )
