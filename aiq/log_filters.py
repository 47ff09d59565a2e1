"""Log filters: what the console shows and what it leaves out."""

from __future__ import annotations

import logging


class NoClientErrorTracebacks(logging.Filter):
    """Keep the one-line "Forbidden: /path" or "Not Found: /path" of a 4xx response, drop
    its traceback: a 403 or a 404 is the product working, not a bug to debug. Server errors
    (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
