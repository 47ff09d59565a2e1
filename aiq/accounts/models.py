from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.text import slugify

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
    login_handle = models.SlugField(
        max_length=40,
        unique=True,
        blank=True,
        help_text=(
            "Staff added here log in as name@handle, so usernames never collide with (or "
            "reveal) another company's staff. Set from the name when the company is created."
        ),
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

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if not self.login_handle:
            self.login_handle = unique_login_handle(self.name, Company.objects.exclude(pk=self.pk))
        super().save(*args, **kwargs)


def unique_login_handle(name: str, others: models.QuerySet) -> str:  # type: ignore[type-arg]
    """A slug of ``name`` no company in ``others`` has: green-leaf, green-leaf-2, ..."""
    base = slugify(name)[:34].strip("-") or "company"
    taken = set(others.filter(login_handle__startswith=base).values_list("login_handle", flat=True))
    handle, number = base, 1
    while handle in taken:
        number += 1
        handle = f"{base}-{number}"
    return handle


class Membership(models.Model):
    """A staff user's place in one company, with the role that decides what they may do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.BUDTENDER)
    stores = models.ManyToManyField(
        "stores.RetailStore",
        blank=True,
        related_name="staff_memberships",
        help_text="The stores a budtender works at (their queues). Empty: every store.",
    )
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
