"""Failure alerts, pluggable by configuration: a webhook (JSON POST) and/or an email.

Airflow calls `airflow_support.alert_on_failure` when a task fails for good; it builds an Alert
and `send_alert` delivers it to every channel the environment configures:
  SVDW_ALERT_WEBHOOK_URL   POST {"text": ..., "dag_id": ..., ...} (Slack/Teams-style)
  SVDW_ALERT_EMAIL_TO      comma-separated recipients, sent through SVDW_SMTP_HOST:SVDW_SMTP_PORT
                           (SVDW_SMTP_USER/SVDW_SMTP_PASSWORD if the relay needs a login,
                           SVDW_ALERT_EMAIL_FROM as sender)
No channel configured means no alert (the failure is still in the Airflow UI and logs).
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from dataclasses import asdict, dataclass
from email.message import EmailMessage

from svdw.config import Settings


@dataclass(frozen=True)
class Alert:
    dag_id: str
    task_id: str
    run_id: str
    try_number: int
    error: str
    log_url: str | None = None

    @property
    def subject(self) -> str:
        return f"[svdw] {self.dag_id}.{self.task_id} failed"

    @property
    def text(self) -> str:
        lines = [
            f"{self.subject} (run {self.run_id}, try {self.try_number})",
            f"Error: {self.error}",
        ]
        if self.log_url:
            lines.append(f"Log: {self.log_url}")
        return "\n".join(lines)


def send_alert(alert: Alert, timeout_s: float = 10) -> list[str]:
    """Deliver to every configured channel; returns the channels used. A channel that fails
    raises, naming the channel, so a broken alert path is itself loud."""
    used: list[str] = []
    settings = Settings.from_env()
    webhook = settings.alert_webhook_url
    if webhook:
        body = json.dumps({"text": alert.text, **asdict(alert)}).encode()
        request = urllib.request.Request(
            webhook, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                response.read()
        except OSError as exc:
            raise RuntimeError(f"alert webhook {webhook} failed: {exc}") from exc
        used.append("webhook")
    recipients = list(settings.alert_email_to)
    if recipients:
        message = EmailMessage()
        message["Subject"] = alert.subject
        message["From"] = settings.alert_email_from
        message["To"] = ", ".join(recipients)
        message.set_content(alert.text)
        host, port = settings.smtp_host, settings.smtp_port
        try:
            with smtplib.SMTP(host, port, timeout=timeout_s) as smtp:
                user = settings.smtp_user
                if user:
                    smtp.starttls()
                    smtp.login(user, settings.smtp_password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise RuntimeError(f"alert email through {host}:{port} failed: {exc}") from exc
        used.append("email")
    return used
