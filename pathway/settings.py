"""One settings module, read from the environment.

Local defaults are safe and need nothing but Python: SQLite, Celery tasks run eagerly, email to
the console. Setting DATABASE_URL, REDIS_URL and EMAIL_URL switches the same code to PostgreSQL,
a real broker and SMTP. With DEBUG off the service refuses to start with unsafe settings.
Every variable is documented in .env.example.
"""

import json
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from pathway.core.email_url import email_settings_from_url
from pathway.core.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

_INSECURE_KEY = "django-insecure-local-development-only"
SECRET_KEY = env("SECRET_KEY", _INSECURE_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")

if not DEBUG:
    # A production process must never run on the development key or accept any Host header.
    if SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DEBUG is off: set SECRET_KEY to a random value of 50+ chars.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: set ALLOWED_HOSTS to the service's host names.")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SERVICE_NAME = env("SERVICE_NAME", "Back pain pathway")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "pathway.core",
    "pathway.organisations",
    "pathway.accounts",
    "pathway.patients",
    "pathway.audit",
    "pathway.referrals",
    "pathway.care",
    "pathway.proms",
    "pathway.messaging",
    "pathway.reports",
    "pathway.api",
    "pathway.demo",
    "pathway.selfreferral",
]

MIDDLEWARE = [
    # First, so its time covers every other middleware; does nothing unless SERVER_TIMING.
    "pathway.core.server_timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in person's pages are never kept by the browser.
    "pathway.core.no_store.NoStoreForSignedInMiddleware",
    # Sets request.user.is_verified(): has this session given a code from an authenticator app.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the header middleware, so their redirects still carry the security headers.
    "pathway.accounts.middleware.SessionTimeoutMiddleware",
    "pathway.accounts.middleware.SecondFactorMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pathway.urls"
WSGI_APPLICATION = "pathway.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% partialdef %} everywhere without {% load %}, as Django 6 has it built in.
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pathway.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# conn_health_checks lets a worker survive a PostgreSQL restart without restarting itself.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if USING_POSTGRES and env("DB_JIT", "off") == "off":
    # PostgreSQL's JIT compiler starts on queries its planner thinks costly and then spends
    # up to a second compiling what runs in tens of milliseconds: measured on the waiting
    # list's weekly history at the large size (docs/performance.md). Pages here are short
    # queries; DB_JIT=on restores the server's own setting.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# --- Redis, cache and Celery ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in the web process at once, so `make run` needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only after it finishes, so a worker that dies mid-task leaves the
# message to be redelivered; tasks are idempotent by a database key, so redelivery is safe.
CELERY_TASK_ACKS_LATE = True
# If the worker process is killed (OOM, SIGKILL) the message goes back to the queue.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Take one message at a time: with acks_late a prefetched batch would be stuck behind a slow task.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# When Redis is down a page publishing a task gives up within seconds (under one when the port
# refuses, about six when packets are dropped) instead of hanging: the row is already in the
# outbox and the beat's sweep queues it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Seconds between the beat's sweeps of the outbox and of the questionnaires (pathway/celery.py);
# tests of faults shorten it.
SWEEP_INTERVAL_SECONDS = float(env("SWEEP_INTERVAL_SECONDS", "60"))
# Seconds between the beat's heartbeats (pathway/celery.py). /health reports "degraded" when the
# last one is older than HEARTBEAT_MARGIN of these intervals (pathway/core/health.py).
HEARTBEAT_INTERVAL_SECONDS = float(env("HEARTBEAT_INTERVAL_SECONDS", "60"))
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/London"

# --- Email ------------------------------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL")
if EMAIL_URL:
    globals().update(email_settings_from_url(EMAIL_URL))
elif env("EMAIL_BACKEND") == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # Locally every email is written as a file in var/mail/ (one per message), where it can be
    # read without a mail server and without flooding the console.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "back-pain-pathway@example.nhs.uk")

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks for a lockout before the password is even looked at; it must come first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "pathway.accounts.backends.StaffBackend",
]

# Two-step verification with an authenticator app (TOTP). On by default in production; off
# locally so the demo logins work at once (anyone can still turn it on from their account page).
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG)
# An authenticator app is bound only through a one-time link an administrator emails to the
# person (pathway/accounts/set_up_links.py), so a password alone cannot bind an attacker's app.
# The link works once, for this many hours.
MFA_SET_UP_LINK_HOURS = int(env("MFA_SET_UP_LINK_HOURS", "72"))
OTP_TOTP_ISSUER = SERVICE_NAME
# The admin never shows a device's secret key or QR code once it exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sign-in lockout (django-axes). Failures are counted per username and address together: a
# practice's staff share one NAT address, so counting by address alone would let one person's
# typos (or one attacker) lock out the whole practice, and by username alone would let anyone
# lock anyone out from anywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(env("AXES_COOLOFF_MINUTES", "15")) / 60  # hours, as axes reads a number
# The database, not Redis: sign-in must keep working and counting while Redis is down.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_RESET_ON_SUCCESS = True
# The same address the audit trail records (REMOTE_ADDR, set by the trusted proxy).
AXES_CLIENT_IP_CALLABLE = "pathway.audit.context.client_ip"
AXES_LOCKOUT_CALLABLE = "pathway.accounts.views.locked_out"
# No "AXES: BEGIN" banner on every manage.py command.
AXES_VERBOSE = False

# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after
# signing in (pathway/accounts/middleware.py); the cookie itself lasts no longer than that.
SESSION_IDLE_MINUTES = int(env("SESSION_IDLE_MINUTES", "30"))
SESSION_ABSOLUTE_HOURS = int(env("SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
# Where collectstatic writes (the release step); whitenoise serves from here when DEBUG is off.
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Forms ------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# --- Security headers -------------------------------------------------------------------------
# No inline script or style anywhere: every script is a static file. The NHS.UK Frutiger web
# font is served by the NHS's own asset host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "https://assets.nhs.uk"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only accepted over HTTPS, for this exact host, on path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Appointments ------------------------------------------------------------------------------
# How many days ahead an appointment may be booked (a date typed further ahead is refused as a
# likely slip, such as 9999 for 2025).
BOOKING_HORIZON_DAYS = int(env("BOOKING_HORIZON_DAYS", "365"))

# --- Questionnaires ----------------------------------------------------------------------------
# Time point -> questionnaire codes; unset takes the evaluation's sets (pathway/proms/timepoints).
PROM_INSTRUMENTS = json.loads(env("PROM_INSTRUMENTS", "null"))
# The windows in which answers belong to a time point (pathway.proms.windows, docs/architecture.md).
# The baseline closes at discharge, or before it at the first attended treatment session after
# the assessment (first_treatment_session) or at the first attended assessment (first_assessment).
PROM_BASELINE_CLOSES_AT = env("PROM_BASELINE_CLOSES_AT", "first_treatment_session")
# Discharge, 6 and 12 months: days before and after the due date, as JSON objects of time point
# to days; a time point left out keeps its default (before 0; after 28, 42 and 42).
PROM_WINDOW_BEFORE_DAYS = json.loads(env("PROM_WINDOW_BEFORE_DAYS") or "null")
PROM_WINDOW_AFTER_DAYS = json.loads(env("PROM_WINDOW_AFTER_DAYS") or "null")
# Patient links: days a questionnaire link works from when it is sent (never past its time
# point's window), reminder days after the invitation, and wrong dates of birth allowed before
# the link locks.
PROM_LINK_EXPIRY_DAYS = int(env("PROM_LINK_EXPIRY_DAYS", "28"))
PROM_REMINDER_DAYS = [int(day) for day in env_list("PROM_REMINDER_DAYS", "7,14")]
PROM_DATE_OF_BIRTH_ATTEMPTS = int(env("PROM_DATE_OF_BIRTH_ATTEMPTS", "5"))
# Guessing from one IP address: links that do not work, and wrong dates of birth across all
# links, allowed per window of minutes before every link answers "not working" (proms.throttle).
PROM_TOKEN_GUESSES_PER_IP = int(env("PROM_TOKEN_GUESSES_PER_IP", "20"))
PROM_DATE_OF_BIRTH_GUESSES_PER_IP = int(env("PROM_DATE_OF_BIRTH_GUESSES_PER_IP", "10"))
PROM_GUESS_WINDOW_MINUTES = int(env("PROM_GUESS_WINDOW_MINUTES", "10"))
# Self-referral identity checks per address and per NHS number a window (selfreferral.throttle).
SELF_REFERRAL_CHECKS_PER_ADDRESS = int(env("SELF_REFERRAL_CHECKS_PER_ADDRESS", "20"))
SELF_REFERRAL_CHECKS_PER_NUMBER = int(env("SELF_REFERRAL_CHECKS_PER_NUMBER", "6"))
SELF_REFERRAL_WINDOW_MINUTES = int(env("SELF_REFERRAL_WINDOW_MINUTES", "60"))
# Where links in messages point: the service's public address.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# GOV.UK Notify for text messages (and optionally email): unset means no SMS provider.
NOTIFY_API_KEY = env("NOTIFY_API_KEY")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID")
# Sending: tries before a message is marked failed, and minutes before a message stuck in
# "sending" (its worker died) is put back to be sent.
MESSAGE_MAX_ATTEMPTS = int(env("MESSAGE_MAX_ATTEMPTS", "4"))
# It is also the lease of a sending worker and the time after which a queued send whose task
# was lost (Redis restarted empty) is queued again; a fraction is allowed for fault tests.
MESSAGE_STUCK_MINUTES = float(env("MESSAGE_STUCK_MINUTES", "10"))
# The EQ-5D-5L value set reports and charts use: uk_crosswalk (the evaluation's scale),
# england_2018 or uk_2026.
EQ5D_VALUE_SET = env("EQ5D_VALUE_SET", "uk_crosswalk")
# Years a record of care is kept after care ends (Records Management Code of Practice: adult
# records 8 years); sets Episode.retain_until at discharge (pathway.clinical.retention).
RETENTION_YEARS = int(env("RETENTION_YEARS", "8"))

# --- FHIR API ---------------------------------------------------------------------------------
# Seconds an API access token works (pathway.api; docs/api.md): short, as NHS APIs' are.
API_ACCESS_TOKEN_SECONDS = int(env("API_ACCESS_TOKEN_SECONDS", "600"))
# FHIR requests one API client may make in a minute before it is answered 429.
API_REQUESTS_PER_MINUTE = int(env("API_REQUESTS_PER_MINUTE", "300"))
# Bulk export ($export, docs/api.md): hours its files are kept after it finishes (then the
# beat deletes them and the job), and the most resources in one NDJSON file.
BULK_EXPORT_RETENTION_HOURS = float(env("BULK_EXPORT_RETENTION_HOURS", "24"))
BULK_EXPORT_FILE_LINES = int(env("BULK_EXPORT_FILE_LINES", "10000"))

# --- Benchmarks -------------------------------------------------------------------------------
# Adds a Server-Timing header (app time, SQL time and query count) for scripts/bench.py.
SERVER_TIMING = env_bool("SERVER_TIMING", False)

# --- Demographics: "Find this person" asks a PDS-shaped FHIR R4 endpoint (pathway.patients.pds) -
# The stand-in serves synthetic people for local use (pathway.patients.pds_stand_in), never live.
PDS_STAND_IN = env_bool("PDS_STAND_IN", DEBUG)
PDS_BASE_URL = env("PDS_BASE_URL") or (f"{SITE_URL}/pds-stand-in/FHIR/R4" if PDS_STAND_IN else "")
PDS_TIMEOUT_SECONDS = float(env("PDS_TIMEOUT_SECONDS", "3"))
# Signing in to PDS as the NHS API platform asks (pathway.patients.pds_access): no API key,
# no sign-in (the stand-in, PDS's sandbox).
PDS_API_KEY, PDS_KEY_ID = env("PDS_API_KEY"), env("PDS_KEY_ID")
PDS_PRIVATE_KEY_FILE, PDS_TOKEN_URL = env("PDS_PRIVATE_KEY_FILE"), env("PDS_TOKEN_URL")
if PDS_API_KEY and not (PDS_PRIVATE_KEY_FILE and PDS_KEY_ID and PDS_TOKEN_URL):
    raise ImproperlyConfigured(
        "With PDS_API_KEY set PDS_PRIVATE_KEY_FILE, PDS_KEY_ID, PDS_TOKEN_URL."
    )
if not DEBUG and (PDS_STAND_IN or PDS_BASE_URL[:8] not in ("", "https://")):
    raise ImproperlyConfigured("DEBUG is off: turn PDS_STAND_IN off; PDS_BASE_URL must be https.")

# --- Logging ----------------------------------------------------------------------------------
# Logs carry no patient data: views log identifiers of objects, never names or NHS numbers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_links": {"()": "pathway.core.logging.RedactPatientLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
