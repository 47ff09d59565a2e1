"""The admin organised as the product, not as Django apps.

The help articles send staff to Settings > Integrations, Settings > Company Account >
Retail Store, Settings > Loyalty, API & Tracking, Personas and Marketing > Audiences.
``SECTIONS`` is that map, in one place: the dashboard, the top navigation, the section
pages and every breadcrumb are drawn from it. A screen a later feature adds (loyalty,
API keys, the queue, audiences, ecommerce) is one ``Entry`` here; a group or section
with nothing the staff member may see is not shown. Models the map does not place
(Celery beat's schedules, users and groups: superuser tools) land in "System", so
nothing registered is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Entry:
    """One screen: a registered model's admin ("app_label.modelname")."""

    model: str
    label: str
    # The label a superuser sees, who manages every company rather than their own.
    superuser_label: str = ""


@dataclass(frozen=True)
class Group:
    slug: str
    title: str
    entries: tuple[Entry, ...]
    description: str = ""


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    groups: tuple[Group, ...]
    description: str = ""


SECTIONS: tuple[Section, ...] = (
    Section(
        "personas",
        "Personas",
        (
            Group(
                "personas",
                "Personas",
                (Entry("personas.persona", "Personas"), Entry("personas.sale", "Sales")),
                "Every shopper, merged across sources, with their purchases.",
            ),
            Group(
                "queue",
                "Waiting-room queue",
                (Entry("queue.checkin", "Waiting-room queue"),),
                "Shoppers checked in at your stores' doors, as they arrive.",
            ),
        ),
    ),
    Section(
        "marketing",
        "Marketing",
        (
            Group(
                "audiences",
                "Audiences",
                (Entry("audiences.audience", "Audiences"),),
                "Segments of your shoppers by contact, purchases, custom brand traits and "
                "points, counted live.",
            ),
        ),
    ),
    Section(
        "menu",
        "Menu",
        (
            Group(
                "products",
                "Products",
                (
                    Entry("ecommerce.menuproduct", "Products"),
                    Entry("ecommerce.menusyncrun", "Menu sync runs"),
                    Entry("ecommerce.menuquarantinedproduct", "Quarantined products"),
                ),
                "Your online menu, synced from COVA every 10 minutes (Sync for now).",
            ),
            Group(
                "online-orders",
                "Online orders",
                (Entry("ecommerce.order", "Online orders"),),
                "Orders placed on your stores' online menus: confirm them and move them on "
                "to pickup; each holds its inventory until it closes or is cancelled.",
            ),
        ),
    ),
    Section(
        "store",
        "Store",
        (
            Group(
                "store-integrations",
                "Integrations",
                (Entry("ecommerce.covaecommercesettings", "COVA"),),
                "Ecommerce integrations per retail store: COVA's menu, inventory and orders.",
            ),
        ),
    ),
    Section(
        "settings",
        "Settings",
        (
            Group(
                "integrations",
                "Integrations",
                (
                    Entry("integrations.integration", "Integrations"),
                    Entry("integrations.syncrun", "Sync runs"),
                    Entry("integrations.quarantinedrecord", "Quarantined records"),
                ),
                "Point-of-sale cards, their scheduled syncs and the records a sync set aside.",
            ),
            Group(
                "company-account",
                "Company Account",
                (
                    Entry("accounts.company", "Account details", superuser_label="Companies"),
                    Entry("stores.retailstore", "Retail Stores"),
                    Entry("accounts.membership", "Staff"),
                ),
                "Your account, its retail stores (and their store mappings) and its staff.",
            ),
            Group(
                "loyalty",
                "Loyalty",
                (
                    # "Loyalty" is the program page itself: Settings > Loyalty opens it.
                    Entry("loyalty.loyaltyprogram", "Loyalty", superuser_label="Loyalty programs"),
                    Entry("loyalty.discount", "Discounts"),
                ),
                "Points, visits, taxes, expiration and the blocklist; the discounts shoppers "
                "redeem their points for.",
            ),
            Group(
                "sms",
                "SMS",
                (
                    Entry("messaging.smssettings", "SMS settings"),
                    Entry("messaging.outboundmessage", "Texts sent"),
                    Entry("messaging.inboundmessage", "Texts received"),
                ),
                "The Twilio account texts go out from, its daily limit, and every text sent "
                "and received (double opt-ins, STOP and HELP answers).",
            ),
            Group(
                "api-tracking",
                "API & Tracking",
                (
                    Entry("loyalty.apikey", "API keys"),
                    Entry("loyalty.apirequestlog", "API request log"),
                    Entry("loyalty.redemption", "Redemptions"),
                ),
                "Your account UID, the API keys your POS uses, the calls made with them and "
                "the discounts redeemed through them.",
            ),
        ),
    ),
)

SYSTEM = Section("system", "System", (), "Tools for the people who run this deployment.")


@dataclass
class Link:
    label: str
    url: str
    add_url: str | None = None
    view_only: bool = False
    model: str = ""


@dataclass
class GroupView:
    slug: str
    title: str
    description: str
    links: list[Link]
    url: str = ""


@dataclass
class SectionView:
    slug: str
    title: str
    description: str
    groups: list[GroupView] = field(default_factory=list)
    url: str = ""

    @property
    def links(self) -> list[Link]:
        return [link for group in self.groups for link in group.links]


def _placements() -> dict[str, tuple[Section, Group, Entry]]:
    return {
        entry.model: (section, group, entry)
        for section in SECTIONS
        for group in section.groups
        for entry in group.entries
    }


def build(request: HttpRequest, app_dict: dict[str, Any]) -> list[SectionView]:
    """The sections this staff member may see, from Django's permission-checked app dict
    (``AdminSite._build_app_dict``)."""
    from django.urls import reverse

    visible: dict[str, Link] = {}
    for app_label, app in app_dict.items():
        for model in app["models"]:
            key = f"{app_label}.{model['object_name'].lower()}"
            if model.get("admin_url"):
                visible[key] = Link(
                    label=str(model["name"]),
                    url=model["admin_url"],
                    add_url=model.get("add_url"),
                    view_only=bool(model.get("view_only")),
                    model=key,
                )
    superuser = bool(getattr(request.user, "is_superuser", False))
    sections: list[SectionView] = []
    for section in SECTIONS:
        view = SectionView(section.slug, section.title, section.description)
        for group in section.groups:
            links = []
            for entry in group.entries:
                link = visible.pop(entry.model, None)
                if link is not None:
                    link.label = (entry.superuser_label if superuser else "") or entry.label
                    links.append(link)
            if links:
                view.groups.append(
                    GroupView(
                        group.slug,
                        group.title,
                        group.description,
                        links,
                        # "Integrations" is the integrations page itself; a group without a
                        # screen of its name (Company Account) has a page listing its screens.
                        _url_titled(group.title, links)
                        or reverse("admin:hub_group", args=[section.slug, group.slug]),
                    )
                )
        if view.groups:
            view.url = _url_titled(section.title, view.links) or reverse(
                "admin:hub_section", args=[section.slug]
            )
            sections.append(view)
    leftovers = sorted(visible.values(), key=lambda link: link.label.lower())
    if leftovers:
        url = reverse("admin:hub_section", args=[SYSTEM.slug])
        group = GroupView("system", "System", SYSTEM.description, leftovers, url)
        sections.append(SectionView(SYSTEM.slug, SYSTEM.title, SYSTEM.description, [group], url))
    return sections


def _url_titled(title: str, links: list[Link]) -> str:
    return next((link.url for link in links if link.label == title), "")


def find(sections: list[SectionView], section_slug: str) -> SectionView | None:
    return next((section for section in sections if section.slug == section_slug), None)


def trail_for(model_key: str, sections: list[SectionView]) -> list[tuple[str, str]]:
    """Breadcrumb (label, url) pairs from Home down to a model's list, e.g. Settings >
    Company Account > Retail Stores; a crumb leading where the one before it leads is
    left out (Personas > Personas)."""
    for section in sections:
        for group in section.groups:
            for link in group.links:
                if link.model == model_key:
                    trail = [(section.title, section.url)]
                    if group.title != section.title:
                        trail.append((group.title, group.url))
                    if link.url != trail[-1][1]:
                        trail.append((link.label, link.url))
                    return trail
    return []
