from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.functions import Lower, Right

from aiq.accounts.models import TenantModel
from aiq.db import PatternOpClass
from aiq.personas.choices import Consent, EnrollmentRoute, Source
from aiq.personas.normalize import normalize_email, normalize_phone

# The purchase summary's columns (below): written only by ``aiq.personas.summaries``.
SUMMARY_FIELDS = (
    "purchase_count",
    "total_spend",
    "first_sale_at",
    "last_sale_at",
    "last_purchase_at",
    "last_in_store_at",
    "last_pickup_at",
    "last_delivery_at",
)


class Persona(TenantModel):
    """A shopper known to a company, with PII, consent and loyalty membership."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True, help_text="Stored trimmed and lower-cased.")
    phone = models.CharField(
        max_length=20, blank=True, help_text="E.164, blank when the raw number is invalid."
    )
    phone_raw = models.CharField(
        "phone as received", max_length=40, blank=True, help_text="Exactly as it was typed."
    )
    birth_date = models.DateField("date of birth", null=True, blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state / province", max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    favorite_store = models.ForeignKey(
        "stores.RetailStore",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="favorite_of",
    )
    loyalty_enrolled_at = models.DateTimeField("loyalty member since", null=True, blank=True)
    loyalty_enrollment_route = models.CharField(
        "enrolled by", max_length=20, choices=EnrollmentRoute.choices, blank=True
    )
    sms_consent = models.CharField(
        "SMS consent", max_length=20, choices=Consent.choices, default=Consent.UNKNOWN
    )
    email_consent = models.CharField(
        max_length=20, choices=Consent.choices, default=Consent.UNKNOWN
    )
    brand_traits = models.JSONField(
        "custom brand traits",
        default=dict,
        blank=True,
        help_text='POS-side groupings usable in audiences, e.g. {"CovaPricingGroup": "VIP"}.',
    )
    # The purchase summary: derived from this persona's sales only, rewritten set-based
    # (``aiq.personas.summaries``) in the transaction of every write that adds, changes or
    # moves their sales, so audiences test a column instead of grouping sales, and it is
    # always exact (``manage.py purchase_summaries --verify``). NULL: no sales. Kept on
    # the persona row because an audience reads that row anyway (a join to a separate
    # table doubled the time of the big sizes; README Benchmarks).
    # Purchases are sales that are not refunds; spend is net (refund totals are negative).
    purchase_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    total_spend = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    # Any sale, refunds included: when the first is inside a window, so is every sale, and
    # the all-time figures are the window's.
    first_sale_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sale_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_purchase_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_in_store_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_pickup_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_delivery_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Prefix searches (LIKE 'abc%') can only use an index whose operator class
        # compares byte-wise; text_pattern_ops works whatever the database collation is.
        indexes = [
            models.Index(fields=["company", "phone"], name="persona_company_phone"),
            models.Index(fields=["company", "phone_raw"], name="persona_company_phone_raw"),
            # "Last four of your phone?": the E.164 number's last 4 and last 7 digits.
            # Expression indexes, not stored columns: nothing to fill on the many paths
            # that write phones (syncs, merges, undo, COPY), and never out of step.
            models.Index("company", Right("phone", 4), name="persona_company_phone_last4"),
            models.Index("company", Right("phone", 7), name="persona_company_phone_last7"),
            models.Index(
                "company",
                PatternOpClass(Lower("email"), name="text_pattern_ops"),
                name="persona_company_email",
            ),
            models.Index(
                "company",
                PatternOpClass(Lower("last_name"), name="text_pattern_ops"),
                name="persona_company_last_name",
            ),
            models.Index(
                "company",
                PatternOpClass(Lower("first_name"), name="text_pattern_ops"),
                name="persona_company_first_name",
            ),
            models.Index(fields=["company", "-id"], name="persona_company_newest"),
            models.Index(fields=["company", "favorite_store"], name="persona_company_store"),
            models.Index(fields=["company", "loyalty_enrolled_at"], name="persona_company_loyalty"),
            # Windowed purchase conditions: the (few) shoppers whose sales began earlier.
            models.Index(fields=["company", "first_sale_at"], name="persona_company_first_sale"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An instance read before its sales changed must not write its stale summary
        # back: a plain save of an existing persona leaves those columns alone.
        plain = kwargs.get("update_fields") is None and not (kwargs.get("force_insert") or args)
        if plain and not self._state.adding:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in SUMMARY_FIELDS
            ]
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.phone or self.phone_raw or f"Persona {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_loyalty_member(self) -> bool:
        return self.loyalty_enrolled_at is not None

    def set_contact(self, *, email: str | None = None, phone: str | None = None) -> None:
        """Store email and phone normalised; an invalid phone keeps only its raw text."""
        if email is not None:
            self.email = normalize_email(email)
        if phone is not None:
            self.phone_raw = phone.strip()
            self.phone = normalize_phone(phone, self.company.phone_region)


class PersonaIdentity(TenantModel):
    """One source's id for a persona (a POS customer id, a form submission, an import row).

    The persona's "Sourced from" is derived from these rows.
    """

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="identities")
    source = models.CharField(max_length=20, choices=Source.choices)
    external_id = models.CharField(max_length=128)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # Hash of the source record as last synced: an unchanged record is not written again.
    content_hash = models.CharField(max_length=32, blank=True, editable=False, db_default="")

    class Meta:
        verbose_name = "source identity"
        verbose_name_plural = "source identities"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "source", "external_id"], name="identity_unique_per_source"
            )
        ]
        indexes = [models.Index(fields=["persona", "source"], name="identity_persona_source")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.external_id}"
