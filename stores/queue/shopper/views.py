"""The shopper's profile, the wallet search and the counter's actions, served inside the
admin (its login, header and look) under the queue's address: the queue admin mounts
``ShopperViews(admin_site).urls()``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from aiq.personas.choices import Consent
from aiq.personas.models import Persona
from stores.models import RetailStore
from stores.queue import access
from stores.queue.models import CheckIn, CounterRedemption
from stores.queue.shopper import access as shopper_access
from stores.queue.shopper.forms import CounterSignupForm, RedeemForm, first_error
from stores.queue.shopper.profile import shopper_profile
from stores.queue.shopper.redeem import CounterRefused, hold_at_counter, release_at_counter
from stores.queue.shopper.search import wallet_search
from stores.queue.shopper.signup import sign_up_at_counter


class ShopperViews:
    def __init__(self, admin_site: AdminSite) -> None:
        self.admin_site = admin_site

    def urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("search/", wrap(self.search_view), name="queue_wallet_search"),
            path("shopper/<int:persona_id>/", wrap(self.profile_view), name="queue_shopper"),
            path(
                "shopper/<int:persona_id>/signup/",
                wrap(self.signup_view),
                name="queue_shopper_signup",
            ),
            path(
                "shopper/<int:persona_id>/redeem/",
                wrap(self.redeem_view),
                name="queue_shopper_redeem",
            ),
            path(
                "shopper/<int:persona_id>/release/<int:counter_id>/",
                wrap(self.release_view),
                name="queue_shopper_release",
            ),
        ]

    # -- pages ---------------------------------------------------------------------------

    def search_view(self, request: HttpRequest) -> HttpResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        term = request.GET.get("q", "")
        results = wallet_search(request.user, term)
        context = {
            **self._context(request, "Wallet search"),
            "term": term.strip(),
            "results": results,
            "searched": bool(term.strip()),
        }
        return TemplateResponse(request, "queue/wallet_search.html", context)

    def profile_view(self, request: HttpRequest, persona_id: int) -> HttpResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        visit = self._visit(request, request.GET, persona_id)
        profile = shopper_profile(visit.persona, visit.store)
        context = {
            **self._context(request, visit.persona.full_name or str(visit.persona)),
            "profile": profile,
            "persona": visit.persona,
            "check_in": visit.check_in,
            "store": visit.store,
            "visit_fields": visit.fields,
            # Found by search: the counter may work for another of the user's stores.
            "stores": []
            if visit.check_in
            else list(access.stores_for(request.user).order_by("name")),
            "signup_form": CounterSignupForm(persona=visit.persona, store=visit.store)
            if visit.store
            else None,
        }
        return TemplateResponse(request, "queue/shopper_profile.html", context)

    # -- actions -------------------------------------------------------------------------

    def signup_view(self, request: HttpRequest, persona_id: int) -> HttpResponse:
        visit, refused = self._post(request, persona_id)
        if refused is not None:
            return refused
        if visit.store is None:
            raise Http404("You have no store to sign shoppers up at.")
        form = CounterSignupForm(request.POST, persona=visit.persona, store=visit.store)
        if not form.is_valid():
            messages.error(request, f"Not signed up: {first_error(form)}")
            return redirect(visit.url)
        done = sign_up_at_counter(
            visit.persona,
            visit.store,
            by=request.user,
            sms_consent=form.cleaned_data["sms_consent"],
        )
        name = visit.persona.full_name or "The shopper"
        said = f"{name} is a loyalty member." if done.enrolled else f"{name} was already a member."
        if done.sms is not None:
            said += (
                " SMS: they already opted in."
                if done.sms.status == Consent.OPTED_IN
                else " SMS: the double opt-in text asks them to confirm."
            )
        messages.success(request, said)
        return redirect(visit.url)

    def redeem_view(self, request: HttpRequest, persona_id: int) -> HttpResponse:
        visit, refused = self._post(request, persona_id)
        if refused is not None:
            return refused
        if visit.store is None:
            raise Http404("You have no store to redeem at.")
        form = RedeemForm(request.POST, persona=visit.persona)
        if not form.is_valid():
            messages.error(request, f"Nothing held: {first_error(form)}")
            return redirect(visit.url)
        discount = form.cleaned_data["discount"]
        try:
            hold_at_counter(
                visit.persona, discount, visit.store, by=request.user, check_in=visit.check_in
            )
        except CounterRefused as refusal:
            messages.error(request, f"Nothing held: {refusal}")
        else:
            messages.success(
                request, f'"{discount.name}" is on hold: apply it in the POS (see below).'
            )
        return redirect(visit.url)

    def release_view(self, request: HttpRequest, persona_id: int, counter_id: int) -> HttpResponse:
        visit, refused = self._post(request, persona_id)
        if refused is not None:
            return refused
        counter = (
            CounterRedemption.objects.filter(
                pk=counter_id,
                persona=visit.persona,
                store__in=access.stores_for(request.user),
            )
            .select_related("redemption", "redemption__discount", "store", "persona")
            .first()
        )
        if counter is None:
            raise Http404("No such hold in your stores.")
        try:
            release_at_counter(counter, by=request.user)
        except CounterRefused as refusal:
            messages.error(request, f"Not released: {refusal}")
        else:
            messages.success(request, "The points are back in the shopper's balance.")
        return redirect(visit.url)

    # -- helpers -------------------------------------------------------------------------

    def _post(self, request: HttpRequest, persona_id: int) -> tuple[Any, HttpResponse | None]:
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        refused = self._refused(request)
        if refused is not None:
            return None, refused
        return self._visit(request, request.POST, persona_id), None

    def _visit(self, request: HttpRequest, data: Any, persona_id: int) -> Visit:
        persona = shopper_access.persona_for(request.user, persona_id)
        check_in = shopper_access.check_in_for(request.user, _number(data.get("check_in")), persona)
        if check_in is not None:
            store = check_in.store
        else:
            store = shopper_access.counter_store(request.user, _number(data.get("store")), persona)
        return Visit(persona, check_in, store)

    def _context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        request.current_app = self.admin_site.name
        return {**self.admin_site.each_context(request), "title": title}

    def _refused(self, request: HttpRequest) -> HttpResponse | None:
        reason = access.queue_refusal(request.user)
        if not reason:
            return None
        context = {**self._context(request, "Waiting-room queue"), "reason": reason}
        return TemplateResponse(request, "queue/refused.html", context, status=403)


@dataclass(frozen=True)
class Visit:
    """The shopper as the counter reached them: from a check-in, or a store's search."""

    persona: Persona
    check_in: CheckIn | None
    store: RetailStore | None

    @property
    def fields(self) -> dict[str, str]:
        if self.check_in is not None:
            return {"check_in": str(self.check_in.pk)}
        return {"store": str(self.store.pk)} if self.store is not None else {}

    @property
    def url(self) -> str:
        address = reverse("admin:queue_shopper", args=[self.persona.pk])
        return f"{address}?{urlencode(self.fields)}" if self.fields else address


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None
