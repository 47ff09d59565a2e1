"""The loyalty points ledger: append-only entries, lots with their own expiry, allocations.

Every change to a shopper's points is a new ``LedgerEntry``; awards open a ``Lot``; debits
record, as ``Allocation`` rows, which lots they consumed and how much of each, so a
reversal can restore exactly those lots. A ``LoyaltyAccount`` row per persona caches the
balance and is updated in the same transaction, under a row lock, with a database CHECK
that it never goes negative. The service modules (``awards``, ``debits``, ``reversals``,
``holds``, ``expiry``, ``merges``) are the only writers; ``verify`` recomputes everything.
"""
