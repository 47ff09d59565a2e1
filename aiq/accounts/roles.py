"""What each staff role may do, as Django permission codenames.

Roles are defined in code rather than as database groups so that every company gets the
same, reviewed set and a deploy changes them everywhere at once.
"""

from __future__ import annotations

from aiq.accounts.choices import Role

ALL = ("view", "add", "change", "delete")

# app label -> model names whose full CRUD the role has.
_MANAGE_BUSINESS = {
    "personas": ["persona", "personaidentity", "personamerge", "sale", "saleline"],
    "stores": ["retailstore"],
    "integrations": None,  # None: every model of the app
    "loyalty": None,
    "ecommerce": None,
    "queue": None,
    "audiences": None,
}

# SMS: the owner holds the provider account (its auth token); everyone who markets reads
# the texts sent and received. Texts are written by the product, never by hand.
_READ_TEXTS = {"outboundmessage": ("view",), "inboundmessage": ("view",)}

ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]] | None]] = {
    Role.OWNER: {
        **dict.fromkeys(_MANAGE_BUSINESS),
        "messaging": {"smssettings": ("view", "add", "change"), **_READ_TEXTS},
        "accounts": {"company": ("view", "change"), "membership": ALL},
        "ops": {"heartbeat": ("view",)},
    },
    Role.MANAGER: {
        **dict.fromkeys(_MANAGE_BUSINESS),
        "messaging": {"smssettings": ("view",), **_READ_TEXTS},
        "accounts": {"company": ("view",), "membership": ("view",)},
        "ops": {"heartbeat": ("view",)},
    },
    Role.MARKETER: {
        "personas": {
            "persona": ("view", "add", "change"),
            "personaidentity": ("view",),
            "personamerge": ("view",),
            "sale": ("view",),
            "saleline": ("view",),
        },
        "stores": {"retailstore": ("view",)},
        "messaging": _READ_TEXTS,
        # A marketer designs the rewards but not the program's economics (points per
        # dollar, expiration, blocklist): they read the program and manage discounts.
        "loyalty": {
            "loyaltyprogram": ("view",),
            "discount": ("view", "add", "change"),
        },
        # Marketing is theirs: they build, export and retire audiences.
        "audiences": None,
    },
    # A budtender works the counter: look a shopper up and sign one up. No settings,
    # no integrations, no stores configuration.
    Role.BUDTENDER: {
        "personas": {"persona": ("view", "add"), "personaidentity": ("view",)},
        # The waiting-room queue, while the program lets budtenders see it (stores/queue).
        "queue": {"checkin": ("view", "change")},
        # The counter prepares and hands over online pickup orders: it reads its stores'
        # orders (lines and timeline included) and moves them on with
        # "ecommerce.hand_over_order" below; no change_order, so no line or price edits
        # and no cancelling (ecommerce/orders/staff_moves.py says why).
        "ecommerce": {"order": ("view",), "orderline": ("view",), "orderevent": ("view",)},
    },
}

# Permissions that are no model's CRUD: staff who may change a shopper's points by hand
# (the persona card's "Adjust points" and refunds' "Remove N points"); budtenders who
# move online orders through pickup (owners and managers do it with change_order).
EXTRA_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({"loyalty.adjust_points"}),
    Role.MANAGER: frozenset({"loyalty.adjust_points"}),
    # Confirm, checked in, ready for pickup and close an online order of their stores.
    Role.BUDTENDER: frozenset({"ecommerce.hand_over_order"}),
}


def permissions_for_role(role: str, models_by_app: dict[str, list[str]]) -> set[str]:
    """Expand a role's grants into "app_label.action_model" permission strings.

    `models_by_app` maps each installed app label to its model names, so that a grant of
    "every model of the app" covers models added later without editing this file.
    """
    grants = ROLE_PERMISSIONS.get(role, {})
    perms: set[str] = set()
    for app_label, per_model in grants.items():
        if per_model is None:
            per_model = dict.fromkeys(models_by_app.get(app_label, []), ALL)
        for model_name, actions in per_model.items():
            perms.update(f"{app_label}.{action}_{model_name}" for action in actions)
    perms.update(EXTRA_PERMISSIONS.get(role, ()))
    return perms
