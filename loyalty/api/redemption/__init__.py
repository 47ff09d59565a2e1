"""Redeeming a wallet discount from the POS: the redemption URL's PUT (redeem), and,
beyond AIQ, POST (hold the points while the discount sits in a cart) and DELETE (release
the hold); holds nothing commits are released after ``LOYALTY_HOLD_MINUTES``; redemptions
from a POS that deducts on apply (Cova) are reconciled against the sale that syncs.

Every path locks the shopper's account row first, then reads the ``Redemption`` of the
request's transaction id (or Idempotency-Key): a retry waits for the first call, then
finds its row and gets its stored answer.
"""
