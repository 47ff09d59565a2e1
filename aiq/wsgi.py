from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiq.settings")
site = get_wsgi_application()  # sets Django up: aiq.handlers reads settings

from aiq.handlers import api_first  # noqa: E402

# POS calls on the loyalty API skip the site's middleware (aiq/handlers.py).
application = api_first(site)

# Everything loaded so far (settings, models, URL patterns, templates' machinery) lives as
# long as the process: moved out of the collector's sight, a full collection no longer
# walks hundreds of thousands of objects in the middle of a request.
gc.freeze()
