"""What the Twilio sandbox records: every text either way, and each number's inbound
webhook address (Twilio's "A message comes in" setting)."""

from __future__ import annotations

from django.db import models


class SandboxSmsNumber(models.Model):
    """A number of a sandbox account and where texts to it are posted."""

    account_sid = models.CharField(max_length=64)
    phone_number = models.CharField(max_length=20)
    sid = models.CharField(max_length=34, unique=True)
    sms_url = models.URLField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_sid", "phone_number"], name="sandbox_sms_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.phone_number


class SandboxSmsMessage(models.Model):
    """One text through the sandbox: outbound (our app sent it) or inbound (a reply)."""

    OUTBOUND = "outbound-api"
    INBOUND = "inbound"

    sid = models.CharField(max_length=34, unique=True)
    account_sid = models.CharField(max_length=64)
    direction = models.CharField(max_length=20)
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20)
    body = models.TextField()
    status = models.CharField(max_length=20)
    error_code = models.CharField(max_length=10, blank=True)
    status_callback = models.URLField(max_length=500, blank=True)
    callback_answers = models.CharField(
        max_length=100, blank=True, help_text="HTTP statuses our webhooks answered."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_number} -> {self.to_number}: {self.body[:40]}"
