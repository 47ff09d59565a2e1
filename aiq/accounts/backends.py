from __future__ import annotations

from functools import cache

from django.apps import apps
from django.contrib.auth.backends import BaseBackend

from aiq.accounts.roles import permissions_for_role


@cache
def _models_by_app() -> dict[str, list[str]]:
    return {
        config.label: [model._meta.model_name for model in config.get_models()]
        for config in apps.get_app_configs()
    }


@cache
def role_permissions(role: str) -> frozenset[str]:
    return frozenset(permissions_for_role(role, _models_by_app()))


class RolePermissionBackend(BaseBackend):
    """Grants an active staff member the permissions of their company role.

    Authentication stays with ModelBackend; this backend only answers permission checks.
    """

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:  # type: ignore[override]
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        membership = getattr(user_obj, "membership", None)
        if membership is None:
            return set()
        return set(role_permissions(membership.role))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:  # type: ignore[override]
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
