"""Settings > Loyalty: the company's loyalty program (one per company), its points
blocklist, its history, and how a sale's points are computed (``points.py``)."""
