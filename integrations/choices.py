from __future__ import annotations

from django.db import models


class IntegrationStatus(models.TextChoices):
    NOT_CONNECTED = "not_connected", "Not connected"
    CONNECTED = "connected", "Connected"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    FROZEN = "frozen", "Frozen (using AIQ's last backup)"


class CredentialState(models.TextChoices):
    UNVERIFIED = "unverified", "Not verified yet"
    VERIFIED = "verified", "Verified"
    FAILING = "failing", "Failing"


class EventAction(models.TextChoices):
    CARD_CREATED = "card_created", "Card created"
    SETTINGS_CHANGED = "settings_changed", "Settings changed"
    CREDENTIAL_ADDED = "credential_added", "Credential added"
    CREDENTIAL_CHANGED = "credential_changed", "Credential changed"
    CREDENTIAL_REMOVED = "credential_removed", "Credential removed"
    CONNECTED = "connected", "Connected"
    CONNECT_FAILED = "connect_failed", "Connect failed"
    DISCONNECTED = "disconnected", "Disconnected"
    STATUS_CHANGED = "status_changed", "Status changed"
    KEYS_ROTATED = "keys_rotated", "Encryption key rotated"


class PosKeySource(models.TextChoices):
    POS = "pos", "Discovered from the POS"
    SYNC = "sync", "Seen in synced data"
