"""Simulated POS registers: what a budtender's terminal does at the counter.

Each register talks to OUR loyalty API over HTTP exactly as that POS's AIQ integration
does (``aiq_api.py``: the ``X-APIKEY`` header, the UID in the path, AIQ's paths from
pos-apis.md section 4), and at checkout records the sale in its POS sandbox's data
(``integrations/sandbox/checkouts.py``), where our sync then reads it like any other sale.

- ``cova.py``: the "Alpine IQ" tab deducts when a discount is applied and sends nothing
  when it is removed again before checkout (seed 000).
- ``posabit.py``: signups with "Customer Consent" and a signature; discounts mirrored in
  POSaBIT under the AIQ discount's name, redeemed with the transaction id after checkout
  (seed 003).
- ``clover.py``: two steps: redeemed on our side, then applied by hand in Clover (seed 004).

Used by the end-to-end tests in ``tests/pos_flows/``; nothing in production imports them.
"""
