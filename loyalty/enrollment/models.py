"""Who or what enrolled a persona in loyalty, kept apart from the persona's own state.

The persona's ``loyalty_enrolled_at`` and ``loyalty_enrollment_route`` are the state
(member or not, since when, how). An ``Enrollment`` row records the act: which card's
setting (with the date it held), which staff member, which POS. It is written once and
never depends on the setting still being there, so an enrollment made by "Enroll
Personas in loyalty program who purchased after" survives the setting's later removal
with its route and card recorded. Its persona foreign key moves with merges (and back
on undo) like every other row that points at a persona.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from aiq.accounts.models import TenantModel
from aiq.personas.choices import EnrollmentRoute


class Enrollment(TenantModel):
    """One enrollment of a persona in the loyalty program, with what caused it."""

    persona = models.ForeignKey(
        "personas.Persona", on_delete=models.CASCADE, related_name="loyalty_enrollments"
    )
    route = models.CharField(max_length=20, choices=EnrollmentRoute.choices)
    enrolled_at = models.DateTimeField(help_text="Membership starts here.")
    integration = models.ForeignKey(
        "integrations.Integration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The card whose setting or POS enrolled the persona.",
    )
    setting_date = models.DateField(
        null=True, blank=True, help_text='The card\'s "purchased after" date at the time.'
    )
    source = models.CharField(max_length=20, blank=True, help_text="The POS, for POS signups.")
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="staff member",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "loyalty enrollment"
        indexes = [models.Index(fields=["persona", "created_at"], name="loyalty_enroll_persona")]

    def __str__(self) -> str:
        return f"{self.persona_id} enrolled by {self.get_route_display()} at {self.enrolled_at}"
