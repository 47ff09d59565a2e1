"""The persona card reads like AIQ's: a profile header, purchases on the store's clock,
sources once with counts, merges, and the form behind "Edit"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aiq.personas.choices import EnrollmentRoute, MatchedOn, Source
from aiq.personas.merging import merge_personas, undo_merge
from tests.factories import IdentityFactory, PersonaFactory, RetailStoreFactory
from tests.personas.factories import add_line, make_sale

pytestmark = pytest.mark.django_db

CARD = "/admin/personas/persona/{}/change/"


def test_header_shows_the_phone_formatted_and_each_source_once(owner_a, company_a):
    # Given a persona known to Cova three times over and from a signup form
    persona = PersonaFactory(company=company_a, phone="+12065550134", phone_raw="206.555.0134")
    for _ in range(3):
        IdentityFactory(persona=persona, source=Source.COVA)
    IdentityFactory(persona=persona, source=Source.SIGNUP_FORM)

    # When staff open the card
    page = owner_a.get(CARD.format(persona.pk)).content.decode()

    # Then the phone reads as a phone and each source is named once, with its count
    assert '<dd class="persona-phone">+1 206-555-0134</dd>' in page
    assert '<dd class="persona-sources">Cova (3), Signup form</dd>' in page
    assert "Cova, Cova" not in page
    assert "206.555.0134</dd>" not in page


def test_changelist_lists_each_source_once_with_a_count(owner_a, company_a):
    # Given a persona with three Cova identities and one from Clover
    persona = PersonaFactory(company=company_a, first_name="Multi")
    for _ in range(3):
        IdentityFactory(persona=persona, source=Source.COVA)
    IdentityFactory(persona=persona, source=Source.CLOVER)

    # When staff open the persona list
    page = owner_a.get("/admin/personas/persona/").content.decode()

    # Then "Sourced from" says each source once
    assert '<td class="field-sourced_from">Cova (3), Clover</td>' in page
    assert "Cova, Cova" not in page


def test_purchases_show_lines_store_local_time_and_payments_in_words(owner_a, company_a):
    # Given two purchases at stores in two time zones, one with lines
    seattle = RetailStoreFactory(company=company_a, name="Capitol Hill")
    toronto = RetailStoreFactory(company=company_a, name="Queen West", time_zone="America/Toronto")
    persona = PersonaFactory(company=company_a)
    first = make_sale(persona, "s1", store=seattle)
    add_line(first, 0, "Blue Dream 3.5g", "1.000")
    add_line(first, 1, "Pre-roll", "2.000")
    make_sale(persona, "s2", store=toronto, occurred_at=datetime(2026, 11, 21, 20, 5, tzinfo=UTC))

    # When staff open the card
    response = owner_a.get(CARD.format(persona.pk))
    page = response.content.decode()

    # Then each purchase is on its store's clock, with its lines and tenders in words
    purchases = response.context["purchases"]
    assert [p.when for p in purchases] == ["Nov 21, 2026 3:05 PM EST", "Nov 20, 2026 12:05 PM PST"]
    assert [p.payments for p in purchases] == ["Cash $40.00, Debit $12.30"] * 2
    assert "<li>1 \u00d7 Blue Dream 3.5g</li><li>2 \u00d7 Pre-roll</li>" in page
    assert "Capitol Hill" in page and "Queen West" in page
    assert "&quot;method&quot;" not in page and '"method"' not in page
    # and the purchases come before the form, which sits behind "Edit"
    assert page.index('id="persona-purchases"') < page.index('<details class="persona-edit"')
    assert page.index("<summary>Edit</summary>") < page.index('name="first_name"')


def test_payments_in_words():
    from aiq.personas.card import payments_in_words

    assert payments_in_words([{"method": "Cash", "amount": "40"}], "USD") == "Cash $40.00"
    assert payments_in_words('[{"method": "Credit", "amount": "-5.5"}]', "USD") == "Credit -$5.50"
    assert payments_in_words([{"method": "Cash", "amount": "12.00"}], "CAD") == "Cash 12.00 CAD"
    assert payments_in_words([], "USD") == ""


def test_sales_list_shows_the_store_time_and_payments_in_words(owner_a, company_a):
    # Given a sale at a Toronto store
    toronto = RetailStoreFactory(company=company_a, name="Queen West", time_zone="America/Toronto")
    sale = make_sale(PersonaFactory(company=company_a), "s1", store=toronto)

    # When staff open the sales list and the sale
    listing = owner_a.get("/admin/personas/sale/").content.decode()
    detail = owner_a.get(f"/admin/personas/sale/{sale.pk}/change/").content.decode()

    # Then the time is the store's, and the tenders read as words
    assert "Nov 20, 2026 3:05 PM EST" in listing
    assert "Cash $40.00, Debit $12.30" in detail
    assert "&quot;method&quot;" not in detail


def test_brand_traits_read_as_a_list_on_the_card(owner_a, company_a):
    # Given a persona with a pricing group
    persona = PersonaFactory(company=company_a, brand_traits={"CovaPricingGroup": "VIP"})

    # When staff open the card
    page = owner_a.get(CARD.format(persona.pk)).content.decode()

    # Then the header lists it and the edit box holds "name: value", never JSON
    assert '<span class="persona-trait">CovaPricingGroup: VIP</span>' in page
    assert "CovaPricingGroup: VIP</textarea>" in page
    assert "{&quot;CovaPricingGroup&quot;" not in page


def test_pos_member_since_is_blank_without_a_pos_source(owner_a, company_a):
    # Given a loyalty member recorded as enrolled at the point of sale, sourced from an import
    persona = PersonaFactory(
        company=company_a,
        loyalty_enrolled_at=datetime(2026, 3, 3, 18, tzinfo=UTC),
        loyalty_enrollment_route=EnrollmentRoute.POS,
    )
    IdentityFactory(persona=persona, source=Source.IMPORT)

    # When staff open the card
    page = owner_a.get(CARD.format(persona.pk)).content.decode()

    # Then nothing claims a point of sale that "Sourced from" does not list
    assert '<dd class="persona-pos-member-since">-</dd>' in page
    assert '<dd class="persona-loyalty">Member since Mar 3, 2026</dd>' in page
    assert "Point of sale" not in page.split('id="persona-edit"')[0]


def test_pos_member_since_is_the_earliest_pos_identity(owner_a, company_a):
    # Given a persona known to Clover since March and to Cova since May
    persona = PersonaFactory(
        company=company_a,
        loyalty_enrolled_at=datetime(2026, 6, 1, tzinfo=UTC),
        loyalty_enrollment_route=EnrollmentRoute.POS,
    )
    IdentityFactory(
        persona=persona, source=Source.COVA, first_seen_at=datetime(2026, 5, 2, 12, tzinfo=UTC)
    )
    IdentityFactory(
        persona=persona, source=Source.CLOVER, first_seen_at=datetime(2026, 3, 9, 12, tzinfo=UTC)
    )
    IdentityFactory(
        persona=persona,
        source=Source.SIGNUP_FORM,
        first_seen_at=datetime(2025, 1, 1, 12, tzinfo=UTC),
    )

    # When staff open the card
    page = owner_a.get(CARD.format(persona.pk)).content.decode()

    # Then the membership at the point of sale starts with the earliest POS record
    assert '<dd class="persona-pos-member-since">Mar 9, 2026 (Clover)</dd>' in page
    assert (
        '<dd class="persona-loyalty">Member since Jun 1, 2026, enrolled by Point of sale (Clover)'
        "</dd>" in page
    )


def test_pos_member_since_follows_identities_through_a_merge_and_its_undo(company_a):
    from aiq.personas.card import pos_member_since, sources_text

    # Given a signup-form persona and a newer persona known to Cova
    older = PersonaFactory(company=company_a, phone="+12065550134")
    IdentityFactory(persona=older, source=Source.SIGNUP_FORM)
    newer = PersonaFactory(company=company_a, phone="+12065550134")
    cova_seen = datetime(2026, 4, 4, 9, tzinfo=UTC)
    IdentityFactory(persona=newer, source=Source.COVA, first_seen_at=cova_seen)
    assert pos_member_since(older.identities.all()) is None

    # When they merge, the survivor is a POS member since the Cova record
    merge = merge_personas(older, newer, matched_on=MatchedOn.PHONE)
    merged_view = pos_member_since(older.identities.all())
    assert merged_view is not None
    assert (merged_view.since, merged_view.source_label) == (cova_seen, "Cova")
    assert sources_text(older.identities.all()) == "Cova, Signup form"

    # And when the merge is undone, the membership goes back with the Cova record
    restored = undo_merge(merge)
    assert pos_member_since(older.identities.all()) is None
    assert sources_text(older.identities.all()) == "Signup form"
    back = pos_member_since(restored.identities.all())
    assert back is not None and back.since == cova_seen
