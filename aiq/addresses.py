"""Where this server can be reached from its own processes."""

from __future__ import annotations

# A server bound to every interface is reached from the same machine over loopback.
_EVERY_INTERFACE = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 (names, not a bind)


def sandbox_origin_for(host: str, port: int) -> str:
    """The origin a worker on this machine uses to reach the web server at host:port."""
    host = host.strip()
    if host in _EVERY_INTERFACE:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal in a URL
    return f"http://{host}:{port}"
