"""The sync engine: pulls customers and sales from every connected POS into personas and
sales, per credential and stream, in committed batches behind a cursor and a lease.

Modules, one job each:

- ``models``/``choices``: cursor, run, quarantine rows and their statuses;
- ``policy``: what the card settings mean for a run (markets, locations, freeze...);
- ``lease``: the per-(credential, stream) lock and the cursor window;
- ``customers``/``sales``: turning one batch of POS values into rows;
- ``bulk``: the set-based writes (upserts, COPY) both batch writers use;
- ``quarantine``: setting malformed records aside;
- ``runner``: one run of one stream, start to finish;
- ``context``: what a run carries (lease, counts, requests, deadline) and how a batch
  commits with the stream's position;
- ``pipeline``: fetching the next batches while the current one is written;
- ``listing``: Cova's customers, read by what changed (incremental) or all (nightly);
- ``scheduling``: the dispatcher's claims, "Sync now", first sync after Connect;
- ``health``: what the card shows about its syncs;
- ``outbound``: creating our personas in the POS (sync personas / contacts).
"""
