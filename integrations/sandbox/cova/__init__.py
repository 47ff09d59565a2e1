"""Cova POS simulator: iQmetrix accounts (OAuth2 password grant) plus the Cova API families."""
