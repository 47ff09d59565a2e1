"""One settings module for every environment, read from the process environment.

The defaults serve the embedded run (`make run`): an SQLite file and Celery's file-system
broker under ./var, the POS sandboxes switched on. Production sets DATABASE_URL,
CELERY_BROKER_URL, SECRET_KEY, DJANGO_DEBUG=false and the security flags; `.env.example`
lists every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from aiq.addresses import sandbox_origin_for
from aiq.production import refuse_unsafe_production

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env is a convenience for developers; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "aiq.apps.HubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_celery_beat",
    "axes",
    "aiq.accounts",
    "aiq.personas",
    "aiq.audiences",
    "aiq.ops",
    "stores",
    "stores.queue",
    "integrations",
    "integrations.sandbox",
    "loyalty",
    "aiq.messaging",
    "ecommerce",
    # Static files only (Swagger UI for /api/docs/, served locally); it needs no DRF.
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aiq.accounts.middleware.CompanyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Under gunicorn, WhiteNoise serves the collected static files (the admin's CSS/JS)
    # with far-future cache headers; runserver serves them itself in DEBUG.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

# The POS-facing API's calls (aiq/handlers.py, wired in aiq/wsgi.py) run only these: no
# session, staff user, CSRF, messages or static files for a call authenticated by API key.
API_PATH_PREFIXES = ["/api/v1.1/", "/api/v2/", "/api/bench/"]
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "aiq.urls"
WSGI_APPLICATION = "aiq.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "aiq" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # aiq/ itself is the project, not an installed app: its tags are named here.
            "libraries": {"hub_navigation": "aiq.templatetags.hub_navigation"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'aiq.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded run has web, worker and beat writing one file: wait for the lock
    # instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
# The loyalty API's few hand-written hot-path SELECTs are prepared once per connection
# (aiq/raw_rows.py hot_cursor). psycopg prepares nothing while the connection's threshold
# is None (Django's default), and Django's own cursors bind client-side, which never
# prepares: this number lets only those statements, asked with prepare=True, be prepared.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "prepare_threshold", 1_000_000 if DATABASE_PREPARED_STATEMENTS else None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the loyalty API's per-key rate limits: with several web processes it must
# be shared (Redis), or each process counts its own requests. Default: this process's
# memory (the embedded run has one web process).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTHENTICATION_BACKENDS = [
    # First: refuses a login while its username or address is locked out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Staff permissions come from their company role, defined in code (aiq/accounts/roles.py).
    "aiq.accounts.backends.RolePermissionBackend",
]

# Login guard (django-axes, aiq/accounts/login_guard.py): after LOGIN_FAILURE_LIMIT failed
# logins for one username, or from one address, both are refused for LOGIN_LOCKOUT_MINUTES;
# a superuser sees and lifts lockouts under System > Access attempts.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "aiq.accounts.login_guard.client_ip"
# The login form's password never reaches axes' logs or its attempt records.
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "aiq" / "static"]  # the project's own (the admin's look)
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: every flag defaults to the safe production value unless DEBUG is on.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Phone numbers typed without a country code are read in this region (ISO 3166 alpha-2)
# unless the company sets its own.
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="US")

# POS sandboxes: simulators of Cova, POSaBIT and Clover served under /sandbox/<provider>/.
# On for the embedded run and the tests; with DEBUG off the server refuses to start with it.
POS_SANDBOX_ENABLED = env.bool("POS_SANDBOX_ENABLED", default=DEBUG)
# Where sandbox credentials send their requests: this server's own origin. `make run`
# tells every process it starts (web, worker, beat) the web server's address in WEB_HOST
# and WEB_PORT (honcho gives each process a PORT of its own, so PORT cannot carry it), and
# the sandbox origin follows from them: a worker always reaches the sandbox of the server
# that is running, whatever its port. POS_SANDBOX_ORIGIN overrides it (a sandbox elsewhere).
WEB_HOST = env.str("WEB_HOST", default="127.0.0.1")
WEB_PORT = env.int("WEB_PORT", default=8000)
POS_SANDBOX_ORIGIN = env.str("POS_SANDBOX_ORIGIN", default="") or sandbox_origin_for(
    WEB_HOST, WEB_PORT
)
# SMS (aiq/messaging): the origin Twilio calls our webhooks at (status callbacks, inbound
# texts), i.e. this site's public https address in production; the signature Twilio sends
# covers it, so it must be exactly the address Twilio was given. Unset: this server's own
# origin (POS_SANDBOX_ORIGIN), which is what the embedded run's sandbox calls.
SMS_WEBHOOK_ORIGIN = env.str("SMS_WEBHOOK_ORIGIN", default="")
# Queue the outbox's send task as soon as a text is queued (else the beat's next minute).
SMS_SEND_AT_ONCE = env.bool("SMS_SEND_AT_ONCE", default=True)
# Overrides of the SMS provider hosts, e.g. "twilio=https://api.twilio.com".
SMS_API_BASE_URLS = env.dict("SMS_API_BASE_URLS", default={})
# AIQ's Cova IntegratorId (a GUID Cova's API support issues for online orders), sent with
# every e-commerce order pushed to Cova; sandbox stores use the sandbox's own.
COVA_INTEGRATOR_ID = env.str("COVA_INTEGRATOR_ID", default="")
# Overrides of the real POS hosts, as provider.role=URL pairs, e.g.
# "cova.api=https://api.covasoft.net,clover.api=https://apisandbox.dev.clover.com".
POS_BASE_URLS = env.dict("POS_BASE_URLS", default={})

# The one-query JSON view `manage.py bench_api` measures the API against, at /api/bench/.
# The benchmark sets it for the gunicorn it starts; nothing else should.
API_BENCH_BASELINE_VIEW = env.bool("API_BENCH_BASELINE_VIEW", default=False)

# Fernet keys for secrets at rest (POS credentials), comma-separated, newest first.
# Generate one: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key())"
# Unset with DEBUG on: a key derived from DJANGO_SECRET_KEY (dev only); with DEBUG off the
# server refuses to start without valid keys.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

if not DEBUG:
    # Production refuses to start (web, worker, beat and every manage.py command load this
    # module) rather than serve fake POS APIs to anyone or fail on the first credential.
    refuse_unsafe_production(
        sandbox_enabled=POS_SANDBOX_ENABLED, field_encryption_keys=FIELD_ENCRYPTION_KEYS
    )

# Celery. The embedded default is the file-system broker, so nothing needs installing.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.rstrip("/") == "filesystem:":
    # Without a host name kombu warns "No hostname was supplied" on every connection.
    CELERY_BROKER_URL = "filesystem://localhost/"
CELERY_FILESYSTEM_BROKER_DIR = env.path(
    "CELERY_FILESYSTEM_BROKER_DIR", default=VAR_DIR / "celery-broker"
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(CELERY_FILESYSTEM_BROKER_DIR)
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Task time limits (CELERY_TASK_TIME_LIMIT) must stay below this, or Redis would hand
    # a still-running task to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Fixed entries; django-celery-beat's DatabaseScheduler copies them into its tables, where
# superusers can see and pause them in the admin.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "ops.record_heartbeat", "schedule": 60.0},
    # Claims due POS credentials (first sync after Connect, every card's interval, the
    # nightly reconciliation) and queues their syncs: integrations/sync/scheduling.py.
    "pos-sync-dispatcher": {"task": "integrations.dispatch_syncs", "schedule": 60.0},
    # The COVA ecommerce menu: each enabled store every 10 minutes (its first sync within a
    # minute of being enabled); the dispatcher claims due stores: ecommerce/menu/scheduling.py
    # (twin: manage.py sync_menu).
    "ecommerce-menu-sync-every-10-minutes": {
        "task": "ecommerce.dispatch_menu_syncs",
        "schedule": 60.0,
    },
    # Online orders' inventory holds: unconfirmed orders cancelled after their time limit,
    # holds released once a sync counted the sale (ecommerce/orders/expiry.py; twin:
    # manage.py expire_order_holds).
    "ecommerce-expire-order-holds": {"task": "ecommerce.expire_order_holds", "schedule": 60.0},
    # Sync Orders: the status at Cova of every pushed order still open there, every 2 minutes
    # (plus quick reads 20 s and 40 s after each push): ecommerce/orders/cova_sync.py (twin:
    # manage.py cova_order_sync --poll-due).
    "ecommerce-order-status-every-2-minutes": {
        "task": "ecommerce.poll_cova_order_statuses",
        "schedule": 120.0,
    },
    # Nightly loyalty points expiry (loyalty/expiry_jobs; twin: manage.py expire_points).
    "loyalty-expire-points": {
        "task": "loyalty.expire_points",
        "schedule": crontab(minute=30, hour=8),
    },
    # Every card's "Enroll Personas in loyalty program who purchased after": loyalty/enrollment.
    "loyalty-enroll-purchased-after": {
        "task": "loyalty.enroll_purchased_after",
        "schedule": 24 * 60 * 60.0,
    },
    # Holds on redemptions that no checkout committed: loyalty/api/redemption/expiry.py
    # (twin: manage.py release_expired_holds).
    "loyalty-release-expired-holds": {
        "task": "loyalty.release_expired_holds",
        "schedule": 60.0,
    },
    # Redemptions of a POS that deducts on apply (Cova) with no sale carrying the discount:
    # loyalty/api/redemption/reconcile.py (twin: manage.py reconcile_redemptions).
    "loyalty-reconcile-redemptions": {
        "task": "loyalty.reconcile_redemptions",
        "schedule": 15 * 60.0,
    },
    # The queue page's VIP line per company (top 10 % of spenders): stores/queue/vip.py.
    "queue-refresh-vip-lines": {"task": "queue.refresh_vip_lines", "schedule": 60 * 60.0},
    # The SMS outbox: due texts, quiet hours and daily limits (aiq/messaging/sending.py;
    # twin: manage.py send_texts).
    "messaging-send-due-texts": {"task": "messaging.send_due_texts", "schedule": 60.0},
    # Every card's "Send SMS double opt-ins to Personas who purchased after" (syncs apply it
    # too): aiq/messaging/double_opt_in.py (twin: manage.py send_double_opt_ins).
    "messaging-send-double-opt-ins": {
        "task": "messaging.send_double_opt_ins",
        "schedule": 24 * 60 * 60.0,
    },
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# POS syncs (integrations/sync). An incremental run re-reads this far before its watermark;
# sales are read in slices of this many days (the watermark moves slice by slice); the
# nightly full reconciliation runs at this hour, UTC.
SYNC_LOOKBACK_MINUTES = env.int("SYNC_LOOKBACK_MINUTES", default=10)
SYNC_SALES_SLICE_DAYS = env.int("SYNC_SALES_SLICE_DAYS", default=30)
SYNC_NIGHTLY_HOUR_UTC = env.int("SYNC_NIGHTLY_HOUR_UTC", default=9)

# Redemptions (loyalty/api/redemption): minutes a hold placed by a POS keeps the points
# before it is released by itself, and hours a redemption from a POS that deducts on apply
# (Cova) waits for its sale before the points come back.
LOYALTY_HOLD_MINUTES = env.int("LOYALTY_HOLD_MINUTES", default=30)
LOYALTY_RECONCILE_HOURS = env.int("LOYALTY_RECONCILE_HOURS", default=24)
# The API's request log is buffered per process and written every this many seconds, off
# the request's path (loyalty/api/request_log.py); 0 writes each line before responding.
LOYALTY_API_LOG_FLUSH_SECONDS = env.float("LOYALTY_API_LOG_FLUSH_SECONDS", default=1.0)

# Online orders (ecommerce/orders, ecommerce/shop). Minutes an unconfirmed order holds its
# inventory before it is cancelled; hours a confirmed order holds it at most; minutes a
# closed order still holds it unless a menu sync counts the sale sooner.
ORDER_PENDING_HOLD_MINUTES = env.int("ORDER_PENDING_HOLD_MINUTES", default=30)
ORDER_OPEN_HOLD_HOURS = env.int("ORDER_OPEN_HOLD_HOURS", default=24)
ORDER_CLOSED_HOLD_MINUTES = env.int("ORDER_CLOSED_HOLD_MINUTES", default=30)
# Checkouts the public menu accepts per window from one client address and for one phone
# number, counted in the cache (shared across web processes with CACHE_URL).
SHOP_CHECKOUT_WINDOW_SECONDS = env.int("SHOP_CHECKOUT_WINDOW_SECONDS", default=3600)
SHOP_CHECKOUTS_PER_ADDRESS = env.int("SHOP_CHECKOUTS_PER_ADDRESS", default=10)
SHOP_CHECKOUTS_PER_PHONE = env.int("SHOP_CHECKOUTS_PER_PHONE", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_client_error_tracebacks": {"()": "aiq.log_filters.NoClientErrorTracebacks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_client_error_tracebacks"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Its version banner on every start; failed logins and lockouts are warnings.
        "axes.apps": {"level": "WARNING"},
        # Django's default config gives "django" a console handler of its own (in DEBUG),
        # which would print every line twice and a 403's traceback past our filter.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
