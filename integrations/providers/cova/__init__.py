"""Cova POS: OAuth2 password grant at iQmetrix accounts, data at api.covasoft.net."""
