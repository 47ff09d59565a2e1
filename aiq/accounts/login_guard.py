"""Login guard settings shared with django-axes (see README, "Libraries we chose").

Failed logins are counted per username and per client address; over the limit both are
refused for a cool-off period, logged by axes, listed for superusers under System, and
lifted by deleting the access attempt (or `manage.py axes_reset`).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address a login comes from, counted per address by axes.

    Behind our TLS proxy (DJANGO_BEHIND_TLS_PROXY) every request comes from the proxy, which
    appends the client's address to X-Forwarded-For: the last entry is the one it saw
    (earlier ones are whatever the client claimed). Otherwise, the socket's peer.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")
