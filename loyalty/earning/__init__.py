"""Earning points on sales: set-based per batch, idempotent per sale (see service.py)."""
