"""Sales a POS posts through AIQ's createUpdateSale(s): parsed here, written by the sync's
own sales writer (integrations/sync/sales.py, bulk.py), earned by the same loyalty hook."""
