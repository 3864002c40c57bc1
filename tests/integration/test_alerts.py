"""Failure alerts reach a real local webhook receiver and a real local SMTP server."""

from __future__ import annotations

import json

import pytest
from sinks import http_sink, smtp_sink

from svdw.alerts import Alert, send_alert

pytestmark = pytest.mark.integration
ALERT = Alert("ingest_police_uk_street", "load_files", "manual__1", 3, "boom: bad.csv rejected")


def test_webhook_receives_the_alert(monkeypatch: pytest.MonkeyPatch) -> None:
    with http_sink() as (url, received):
        monkeypatch.setenv("SVDW_ALERT_WEBHOOK_URL", url)
        monkeypatch.delenv("SVDW_ALERT_EMAIL_TO", raising=False)
        assert send_alert(ALERT) == ["webhook"]
    payload = json.loads(received[0])
    assert payload["dag_id"] == "ingest_police_uk_street"
    assert "load_files failed" in payload["text"] and "bad.csv rejected" in payload["text"]


def test_email_reaches_the_smtp_server(monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_sink() as (port, received):
        monkeypatch.delenv("SVDW_ALERT_WEBHOOK_URL", raising=False)
        monkeypatch.setenv("SVDW_ALERT_EMAIL_TO", "duty@example.org")
        monkeypatch.setenv("SVDW_SMTP_PORT", str(port))
        assert send_alert(ALERT) == ["email"]
    assert "Subject: [svdw] ingest_police_uk_street.load_files failed" in received[0]
    assert "bad.csv rejected" in received[0]


def test_a_broken_channel_is_loud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVDW_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/nothing-listens")
    with pytest.raises(RuntimeError, match=r"alert webhook http://127\.0\.0\.1:9/nothing-listens"):
        send_alert(ALERT)


def test_no_channel_no_alert(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SVDW_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("SVDW_ALERT_EMAIL_TO", raising=False)
    assert send_alert(ALERT) == []
