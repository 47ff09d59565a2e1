"""Settings > Integrations: every provider with the company's status, a search box, and
cards opened (created by the first POST, never by a GET) per company only."""

from __future__ import annotations

import pytest
from django.http import HttpRequest

from aiq.accounts.choices import Role
from integrations.choices import CredentialState, EventAction, IntegrationStatus
from integrations.models import Integration, IntegrationEvent
from tests.conftest import staff_client
from tests.integrations.factories import CredentialFactory, IntegrationFactory

pytestmark = pytest.mark.django_db
PAGE = "/admin/integrations/integration/"


def rows(response) -> dict[str, str]:
    return {row.label: row.status for row in response.context["rows"]}


def test_lists_every_provider_with_the_companys_status(owner_a, company_a, company_b):
    posabit = IntegrationFactory(
        company=company_a, provider="posabit", status=IntegrationStatus.CONNECTED
    )
    CredentialFactory(integration=posabit, state=CredentialState.VERIFIED)
    cova_b = IntegrationFactory(
        company=company_b, provider="cova", status=IntegrationStatus.CONNECTED
    )
    CredentialFactory(integration=cova_b, state=CredentialState.VERIFIED)

    response = owner_a.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Integrations</h1>" in html
    assert "Settings</a>\n&rsaquo; Integrations" in html
    # B's connected Cova card does not show on A's page
    assert rows(response) == {
        "Cova": IntegrationStatus.NOT_CONNECTED,
        "POSaBIT": IntegrationStatus.CONNECTED,
        "Clover": IntegrationStatus.NOT_CONNECTED,
    }


def test_search_filters_providers_by_name(owner_a):
    assert list(rows(owner_a.get(PAGE, {"q": "pos"}))) == ["POSaBIT"]
    assert list(rows(owner_a.get(PAGE, {"q": "CLOVER"}))) == ["Clover"]
    empty = owner_a.get(PAGE, {"q": "square"})
    assert list(rows(empty)) == []
    assert "No integration matches" in empty.content.decode()


def test_index_links_to_the_integrations_page(owner_a):
    assert PAGE in owner_a.get("/admin/").content.decode()


def test_a_get_of_the_open_link_creates_nothing(owner_a, company_a):
    # given no Clover card (a link or an image loaded by a signed-in owner is a GET)
    # when the open URL is fetched with GET
    response = owner_a.get(f"{PAGE}open/clover/")

    # then nothing is created or recorded; the owner lands on the Integrations page
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert not Integration.objects.exists()
    assert not IntegrationEvent.objects.exists()


def test_a_get_of_the_open_link_opens_an_existing_card(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="clover")

    response = owner_a.get(f"{PAGE}open/clover/")

    assert response["Location"] == f"{PAGE}{card.pk}/change/"
    assert not IntegrationEvent.objects.exists()


def test_the_page_opens_a_new_card_with_a_post_form_and_an_existing_one_with_a_link(
    owner_a, company_a
):
    card = IntegrationFactory(company=company_a, provider="cova")

    html = owner_a.get(PAGE).content.decode()

    assert f'<a href="{PAGE}{card.pk}/change/">' in html
    assert f'<form method="post" action="{PAGE}open/clover/" class="open-card">' in html
    assert f'href="{PAGE}open/' not in html


def test_opening_a_provider_creates_the_card_once(owner_a, company_a):
    first = owner_a.post(f"{PAGE}open/clover/")
    second = owner_a.post(f"{PAGE}open/clover/")

    card = Integration.objects.get(company=company_a, provider="clover")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"{PAGE}{card.pk}/change/"
    assert Integration.objects.count() == 1
    event = IntegrationEvent.objects.get(integration=card)
    assert (event.action, event.actor) == (EventAction.CARD_CREATED, owner_a.user)


def test_opening_an_unknown_provider_is_404(owner_a):
    assert owner_a.post(f"{PAGE}open/square/").status_code == 404
    assert not Integration.objects.exists()


def test_opening_finds_the_own_companys_card_only(owner_a, company_a, company_b):
    theirs = IntegrationFactory(company=company_b, provider="cova")

    response = owner_a.post(f"{PAGE}open/cova/")

    mine = Integration.objects.get(company=company_a, provider="cova")
    assert mine != theirs
    assert response["Location"] == f"{PAGE}{mine.pk}/change/"


@pytest.mark.parametrize("role", [Role.BUDTENDER, Role.MARKETER])
def test_budtenders_and_marketers_never_see_integrations(company_a, role):
    client = staff_client(company_a, role)
    card = IntegrationFactory(company=company_a)

    assert PAGE not in client.get("/admin/").content.decode()
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}open/cova/").status_code == 403
    assert client.get(f"{PAGE}{card.pk}/change/").status_code == 403
    assert client.post(f"{PAGE}{card.pk}/disconnect/").status_code == 403
    assert client.post(f"{PAGE}{card.pk}/credentials/add/", {}).status_code == 403
    assert Integration.objects.count() == 1


def test_manager_works_the_cards(company_a):
    manager = staff_client(company_a, Role.MANAGER)

    assert manager.get(PAGE).status_code == 200
    assert manager.post(f"{PAGE}open/posabit/").status_code == 302


def test_superuser_without_company_gets_every_card(client, django_user_model, company_a, company_b):
    IntegrationFactory(company=company_a, provider="cova")
    IntegrationFactory(company=company_b, provider="cova")
    django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-2026")
    client.login(request=HttpRequest(), username="root", password="pw-root-2026")

    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
