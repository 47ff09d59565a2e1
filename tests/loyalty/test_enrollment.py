"""Enrollment: by the card's "purchased after" setting (set-based, idempotent, surviving
the setting's removal), by staff, by the POS; and through persona merges."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from aiq.personas.choices import EnrollmentRoute, MatchedOn
from aiq.personas.merging import merge_personas, undo_merge
from aiq.personas.models import Persona
from integrations.services.card_settings import update_card_settings
from loyalty.enrollment.by_setting import (
    enroll_for_sales,
    enroll_purchased_after,
    preview_count,
)
from loyalty.enrollment.direct import enroll_by_staff, enroll_from_pos
from loyalty.enrollment.models import Enrollment
from loyalty.enrollment.tasks import enroll_purchased_after_task
from tests.factories import PersonaFactory, UserFactory
from tests.integrations.factories import IntegrationFactory
from tests.personas.factories import make_sale

pytestmark = pytest.mark.django_db

JAN_1 = date(2026, 1, 1)
BEFORE = datetime(2025, 12, 31, 12, tzinfo=UTC)
AFTER = datetime(2026, 1, 5, 12, tzinfo=UTC)
LATER = datetime(2026, 2, 10, 12, tzinfo=UTC)


def shopper_with_sales(company, *moments, source="cova", refund=False):  # type: ignore[no-untyped-def]
    persona = PersonaFactory(company=company)
    for number, moment in enumerate(moments):
        make_sale(
            persona,
            f"{persona.pk}-{number}",
            occurred_at=moment,
            source=source,
            is_refund=refund,
        )
    return persona


def test_the_setting_enrolls_buyers_on_or_after_the_date_from_their_first_such_sale(company_a):
    # given a Cova card and shoppers who bought before, after, on both sides, never
    card = IntegrationFactory(company=company_a, provider="cova")
    only_before = shopper_with_sales(company_a, BEFORE)
    after = shopper_with_sales(company_a, LATER, AFTER)
    both = shopper_with_sales(company_a, BEFORE, LATER)
    refund_only = shopper_with_sales(company_a, AFTER, refund=True)
    other_pos = shopper_with_sales(company_a, AFTER, source="posabit")
    never = PersonaFactory(company=company_a)

    # when the date is applied
    enrolled = enroll_purchased_after(card, day=JAN_1)

    # then only buyers at this POS on or after the date join, from their first such sale
    assert enrolled == 2
    rows = dict(
        Persona.objects.filter(loyalty_enrolled_at__isnull=False).values_list(
            "pk", "loyalty_enrolled_at"
        )
    )
    assert rows == {after.pk: AFTER, both.pk: LATER}
    for persona in (only_before, refund_only, other_pos, never):
        persona.refresh_from_db()
        assert persona.loyalty_enrolled_at is None
    after.refresh_from_db()
    assert after.loyalty_enrollment_route == EnrollmentRoute.PURCHASED_AFTER
    record = Enrollment.objects.get(persona=after)
    assert (record.route, record.integration, record.setting_date, record.enrolled_at) == (
        EnrollmentRoute.PURCHASED_AFTER,
        card,
        JAN_1,
        AFTER,
    )


def test_applying_the_setting_again_enrolls_nobody_twice(company_a):
    card = IntegrationFactory(company=company_a, provider="cova", enroll_loyalty_after=JAN_1)
    shopper_with_sales(company_a, AFTER)
    assert enroll_purchased_after(card) == 1

    # when it runs again (a resync, the daily task)
    again = enroll_purchased_after(card)

    # then nothing new is written
    assert again == 0
    assert Enrollment.objects.count() == 1


def test_the_setting_never_changes_an_existing_membership(company_a):
    # given a shopper a staff member already enrolled
    card = IntegrationFactory(company=company_a, provider="cova", enroll_loyalty_after=JAN_1)
    persona = shopper_with_sales(company_a, AFTER)
    enroll_by_staff(persona, None, at=LATER)

    # when the setting applies
    assert enroll_purchased_after(card) == 0

    # then the staff enrollment stands
    persona.refresh_from_db()
    assert (persona.loyalty_enrolled_at, persona.loyalty_enrollment_route) == (
        LATER,
        EnrollmentRoute.STAFF,
    )
    assert Enrollment.objects.filter(route=EnrollmentRoute.PURCHASED_AFTER).count() == 0


def test_the_preview_counts_what_saving_the_date_enrolls(company_a):
    # given a card without the date and a mix of shoppers
    card = IntegrationFactory(company=company_a, provider="cova")
    for _ in range(3):
        shopper_with_sales(company_a, AFTER)
    shopper_with_sales(company_a, BEFORE)
    already = shopper_with_sales(company_a, AFTER)
    enroll_by_staff(already, None)

    # when staff preview the date, then save it
    preview = preview_count(card, JAN_1)
    with transaction.atomic():
        update_card_settings(card, {"enroll_loyalty_after": JAN_1})

    # then saving enrolled exactly the previewed personas
    assert preview == 3
    assert Enrollment.objects.filter(route=EnrollmentRoute.PURCHASED_AFTER).count() == preview
    assert card.events.get().message.endswith("3 personas enrolled in loyalty")


def test_an_enrollment_by_the_setting_survives_the_settings_removal(company_a):
    # given shoppers enrolled by the card's date
    card = IntegrationFactory(company=company_a, provider="cova")
    persona = shopper_with_sales(company_a, AFTER)
    update_card_settings(card, {"enroll_loyalty_after": JAN_1})

    # when the date is removed and the daily task runs
    update_card_settings(card, {"enroll_loyalty_after": None})
    enroll_purchased_after_task()

    # then the shopper is still a member, with the route and the card that enrolled them
    persona.refresh_from_db()
    assert (persona.loyalty_enrolled_at, persona.loyalty_enrollment_route) == (
        AFTER,
        EnrollmentRoute.PURCHASED_AFTER,
    )
    record = Enrollment.objects.get(persona=persona)
    assert (record.integration, record.setting_date) == (card, JAN_1)
    # and a new buyer is not enrolled any more (the setting is gone)
    newcomer = shopper_with_sales(company_a, LATER)
    enroll_purchased_after_task()
    newcomer.refresh_from_db()
    assert newcomer.loyalty_enrolled_at is None


def test_the_daily_task_and_its_command_apply_every_cards_date(company_a, company_b):
    IntegrationFactory(company=company_a, provider="cova", enroll_loyalty_after=JAN_1)
    IntegrationFactory(company=company_b, provider="posabit", enroll_loyalty_after=JAN_1)
    a = shopper_with_sales(company_a, AFTER)
    b = shopper_with_sales(company_b, AFTER, source="posabit")
    c = shopper_with_sales(company_b, AFTER, source="posabit")

    # when the command runs dry, nobody is enrolled but the count is printed
    from io import StringIO

    out = StringIO()
    call_command("enroll_loyalty", "--dry-run", stdout=out)
    assert "2 cards: would enroll 3 personas." in out.getvalue()
    assert Persona.objects.filter(loyalty_enrolled_at__isnull=False).count() == 0

    # when the task runs, every card's buyers join
    assert enroll_purchased_after_task() == 3
    assert set(
        Persona.objects.filter(loyalty_enrolled_at__isnull=False).values_list("pk", flat=True)
    ) == {a.pk, b.pk, c.pk}


def test_the_command_for_one_company_leaves_the_others(company_a, company_b):
    IntegrationFactory(company=company_a, provider="cova", enroll_loyalty_after=JAN_1)
    IntegrationFactory(company=company_b, provider="cova", enroll_loyalty_after=JAN_1)
    a = shopper_with_sales(company_a, AFTER)
    b = shopper_with_sales(company_b, AFTER)

    call_command("enroll_loyalty", "--company", company_a.uid, stdout=None)

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.loyalty_enrolled_at == AFTER
    assert b.loyalty_enrolled_at is None


def test_the_sales_hook_enrolls_only_the_shoppers_of_those_sales(company_a):
    IntegrationFactory(company=company_a, provider="cova", enroll_loyalty_after=JAN_1)
    in_batch = shopper_with_sales(company_a, AFTER)
    not_in_batch = shopper_with_sales(company_a, AFTER)

    enrolled = enroll_for_sales(company_a.pk, list(in_batch.sales.values_list("pk", flat=True)))

    assert enrolled == 1
    not_in_batch.refresh_from_db()
    assert not_in_batch.loyalty_enrolled_at is None


def test_staff_enroll_once_with_their_name_recorded(company_a):
    persona = PersonaFactory(company=company_a)
    user = UserFactory()

    assert enroll_by_staff(persona, user, at=AFTER) is True
    assert enroll_by_staff(persona, user, at=LATER) is False

    persona.refresh_from_db()
    assert (persona.loyalty_enrolled_at, persona.loyalty_enrollment_route) == (
        AFTER,
        EnrollmentRoute.STAFF,
    )
    record = Enrollment.objects.get()
    assert (record.route, record.staff_user) == (EnrollmentRoute.STAFF, user)


def test_a_pos_signup_enrolls_with_the_pos_and_its_card(company_a):
    card = IntegrationFactory(company=company_a, provider="posabit")
    persona = PersonaFactory(company=company_a)

    assert enroll_from_pos(persona, "posabit", AFTER) is True

    persona.refresh_from_db()
    assert (persona.loyalty_enrolled_at, persona.loyalty_enrollment_route) == (
        AFTER,
        EnrollmentRoute.POS,
    )
    record = Enrollment.objects.get()
    assert (record.route, record.source, record.integration) == (
        EnrollmentRoute.POS,
        "posabit",
        card,
    )


def test_a_merge_keeps_the_earliest_membership_and_undo_restores_each(company_a):
    # given an older survivor enrolled by staff later than the merged one joined at the POS
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    enroll_by_staff(survivor, None, at=LATER)
    enroll_from_pos(merged, "cova", at=AFTER)
    survivor.refresh_from_db()
    merged.refresh_from_db()

    # when they are merged
    merge = merge_personas(survivor, merged, matched_on=MatchedOn.PHONE, now=LATER)

    # then the survivor is a member from the earliest date, with that route, and holds
    # both enrollment records
    survivor.refresh_from_db()
    assert (survivor.loyalty_enrolled_at, survivor.loyalty_enrollment_route) == (
        AFTER,
        EnrollmentRoute.POS,
    )
    assert Enrollment.objects.filter(persona=survivor).count() == 2

    # when the merge is undone, then each gets back its own membership and record
    restored = undo_merge(merge)
    survivor.refresh_from_db()
    assert (survivor.loyalty_enrolled_at, survivor.loyalty_enrollment_route) == (
        LATER,
        EnrollmentRoute.STAFF,
    )
    assert (restored.loyalty_enrolled_at, restored.loyalty_enrollment_route) == (
        AFTER,
        EnrollmentRoute.POS,
    )
    assert Enrollment.objects.get(persona=survivor).route == EnrollmentRoute.STAFF
    assert Enrollment.objects.get(persona=restored).route == EnrollmentRoute.POS


def test_a_merge_with_one_member_makes_the_survivor_a_member(company_a):
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    enroll_by_staff(merged, None, at=AFTER)
    merged.refresh_from_db()

    merge = merge_personas(survivor, merged, matched_on=MatchedOn.EMAIL, now=LATER)

    survivor.refresh_from_db()
    assert (survivor.loyalty_enrolled_at, survivor.loyalty_enrollment_route) == (
        AFTER,
        EnrollmentRoute.STAFF,
    )
    undo_merge(merge)
    survivor.refresh_from_db()
    assert survivor.loyalty_enrolled_at is None
    assert survivor.loyalty_enrollment_route == ""
    assert Enrollment.objects.filter(persona=survivor).count() == 0


def test_the_date_is_the_start_of_the_day_in_the_site_time_zone(company_a, settings):
    # a sale a minute after midnight on the date counts, a minute before does not
    card = IntegrationFactory(company=company_a, provider="cova")
    from loyalty.enrollment.by_setting import start_of

    midnight = start_of(JAN_1)
    on = shopper_with_sales(company_a, midnight + timedelta(minutes=1))
    off = shopper_with_sales(company_a, midnight - timedelta(minutes=1))

    assert enroll_purchased_after(card, day=JAN_1) == 1
    on.refresh_from_db()
    off.refresh_from_db()
    assert on.loyalty_enrolled_at is not None
    assert off.loyalty_enrolled_at is None


def test_the_daily_task_is_scheduled_and_found_by_the_worker(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["loyalty-enroll-purchased-after"]
    assert entry == {"task": "loyalty.enroll_purchased_after", "schedule": 86400.0}
    # what a worker does at start, in a fresh process (this one imported the task already)
    script = (
        "import django; django.setup(); from aiq.celery import app; "
        "app.loader.import_default_modules(); "
        "print('loyalty.enroll_purchased_after' in app.tasks)"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert found.stdout.strip().splitlines()[-1] == "True"
