"""The public online menu: age gate, menu, cart, checkout and the order's own page.

No staff login. Each store's menu lives at /shop/<shop slug>/; the session remembers the
age gate and the cart per store; an order's page is reachable only by its random token.
"""
