from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from aiq.accounts.choices import Role


def new_account_uid() -> str:
    """A public, unguessable account UID; POS terminals send it with their API key."""
    return secrets.token_hex(8)


class Company(models.Model):
    """A dispensary's account. Every tenant-owned row belongs to exactly one company."""

    name = models.CharField(max_length=200, unique=True)
    uid = models.CharField(
        "account UID",
        max_length=32,
        unique=True,
        default=new_account_uid,
        editable=False,
        help_text="Public account ID that POS terminals send to the loyalty API.",
    )
    phone_region = models.CharField(
        max_length=2,
        default="US",
        help_text="Country (ISO code) used to read phone numbers typed without a country code.",
    )
    match_personas_on_name_and_birth_date = models.BooleanField(
        "merge personas on first + last name + date of birth",
        default=False,
        help_text=(
            "After phone and email, also treat records with the same first name, last name "
            "and date of birth as one shopper. Off by default: names alone are not unique."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff user's place in one company, with the role that decides what they may do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.BUDTENDER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "staff membership"
        ordering = ["company", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.company})"


class TenantModel(models.Model):
    """Abstract base for every model that belongs to one company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
