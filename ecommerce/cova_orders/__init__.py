"""Cova's side of e-commerce orders (issue 14, items 5-7): the location's tax pricing, the
customer found by phone, the idempotent push of an order, and its status mapped onto ours.

Plain dataclasses in (``values``), ``CovaOrderRetryable`` / ``CovaOrderRejected`` out
(``errors``); the table of Cova statuses and every inference is in ``assumptions``.
"""
