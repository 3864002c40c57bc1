"""The SNA documents (`svdw report sna`; SVDW_REPORTS_DIR, as SUPERSET_REPORTS_DIR) served by
Superset itself at /sna-reports/, so the Overview dashboard links to them with a relative URL
that works wherever Superset runs, and only a logged-in user can open them (a file:// link from
an http page is blocked by browsers; a second web server would need its own port, login and
URL). /sna-reports/ is the latest year's index (reports/latest -> the newest year's folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent


def reports_dir() -> Path:
    # superset.sh passes SVDW_REPORTS_DIR on as SUPERSET_REPORTS_DIR (Superset sees only SUPERSET_*)
    named = os.environ.get("SUPERSET_REPORTS_DIR") or os.environ.get("SVDW_REPORTS_DIR") or ""
    value = Path(named.strip() or "reports")
    return value if value.is_absolute() else REPO_DIR / value


def add_reports_route(app: Any) -> None:
    """FLASK_APP_MUTATOR: register GET /sna-reports/<path> for authenticated users."""
    from flask import redirect, request, send_from_directory
    from flask_login import current_user

    def sna_reports(path: str = "latest/index.html") -> Any:
        if not current_user.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        return send_from_directory(reports_dir(), path)

    app.add_url_rule("/sna-reports/", "sna_reports_index", sna_reports)
    app.add_url_rule("/sna-reports/<path:path>", "sna_reports", sna_reports)
