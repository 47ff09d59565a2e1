"""Loyalty > Discounts: what shoppers redeem their points for, and which of them a shopper
can redeem right now (``services.py``)."""
