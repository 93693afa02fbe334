"""Gatehouse settings: every value comes from the environment, through django-environ.

Development defaults work on a fresh checkout; with DEBUG off the process refuses to start
on an unsafe SECRET_KEY or without KEY_ENCRYPTION_KEYS.
"""

import base64
import datetime as dt
import hashlib
import warnings
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.environment import StrictEnv
from config.rate_limits import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent

# Strict: a value a variable does not take stops the process (config/environment.py).
env = StrictEnv()

DEVELOPMENT_SECRET_KEY = "gatehouse-development-only-secret-key-do-not-use-in-production"

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
# The `iss` claim of every token (Auth0 style: the tenant URL with a trailing slash).
ISSUER = PUBLIC_URL + "/"
# The protocol endpoints' public URLs, as discovery publishes them (RFC 8414 section 2).
JWKS_URI = PUBLIC_URL + "/.well-known/jwks.json"
TOKEN_ENDPOINT = PUBLIC_URL + "/oauth/token"
REVOCATION_ENDPOINT = PUBLIC_URL + "/oauth/revoke"
AUTHORIZATION_ENDPOINT = PUBLIC_URL + "/authorize"
USERINFO_ENDPOINT = PUBLIC_URL + "/userinfo"
END_SESSION_ENDPOINT = PUBLIC_URL + "/oidc/logout"
# The second audience of a user's access token when `openid` was asked on an RS256 API, and
# the audience of /userinfo-only grants (AUTH0_USER_FLOWS.md section 1.5).
USERINFO_AUDIENCE = ISSUER + "userinfo"
# The audience of Management API tokens, and the identifier of the system API.
MANAGEMENT_API_IDENTIFIER = PUBLIC_URL + "/api/v2/"
TENANT_HOST = urlsplit(PUBLIC_URL).hostname or "localhost"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", TENANT_HOST])

# Fernet keys (urlsafe base64, 32 bytes), comma-separated. The first encrypts, all decrypt,
# so a new key is introduced by putting it first and running `manage.py reencrypt_secrets`.
KEY_ENCRYPTION_KEYS = env.list("KEY_ENCRYPTION_KEYS", default=[])

if not DEBUG:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
        )
    if not KEY_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "KEY_ENCRYPTION_KEYS must be set when DEBUG is off "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
elif not KEY_ENCRYPTION_KEYS:
    warnings.warn(
        "KEY_ENCRYPTION_KEYS is not set: deriving a development key from SECRET_KEY. "
        "Set KEY_ENCRYPTION_KEYS before storing real keys.",
        stacklevel=1,
    )
    KEY_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(b"gatehouse.key-encryption:" + SECRET_KEY.encode()).digest()
        ).decode()
    ]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "logs",
    "keys",
    "apis",
    "users",
    "applications",
]

MIDDLEWARE = [
    # First, so a view's "database unreachable" becomes a 503 before any other middleware
    # sees a response (config/errors.py).
    "config.errors.UnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware (WhiteNoise's advice): static files skip sessions and auth.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts and through which surface, for the log events of configuration changes.
    "config.middleware.ActorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.ConsoleLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out staff login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.tenant",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'gatehouse.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60, minimum=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Only server-side-binding cursors are ever prepared, and Django's own cursors bind
    # client-side, so this affects just the token endpoint's lookup (applications/grant_lookup.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let the dev server and a second process share the file.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")

# /oauth/token keeps the grants it has read until the database says they changed
# (applications/grant_cache.py). Turn off behind a transaction-pooling PgBouncer, where
# LISTEN does not work.
GRANT_CACHE = env.bool("GRANT_CACHE", default=True)

# A refresh token's rotation commits without waiting for PostgreSQL's WAL flush; what a
# database crash can then lose, how it is recovered and what is left are in README
# "Durability". false waits for the flush, at about 15 % of the refresh rate. No effect on
# SQLite.
REFRESH_TOKEN_ASYNC_COMMIT = env.bool("REFRESH_TOKEN_ASYNC_COMMIT", default=True)

# Auth0 log events (logs/): on by default; LOG_EVENTS=false turns recording off (the bench
# measures the cost both ways). Events from hot paths (/oauth/token, sign-in) are written in
# batches every LOG_EVENTS_FLUSH_SECONDS by a thread of each process (logs/buffer.py: what a
# crash can lose); 0 writes each at once. Events older than LOG_RETENTION_DAYS are pruned by
# `manage.py prune_logs`.
LOG_EVENTS = env.bool("LOG_EVENTS", default=True)
LOG_EVENTS_FLUSH_SECONDS = env.float("LOG_EVENTS_FLUSH_SECONDS", default=1.0, minimum=0)
LOG_RETENTION_DAYS = env.int("LOG_RETENTION_DAYS", default=30)  # prune_logs checks the range
# How many reverse proxies of ours stand in front and append to X-Forwarded-For
# (config/client_ip.py); 0 trusts no header and uses the socket's address.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0, minimum=0)

# Django's cache: Redis when REDIS_URL is set (shared by every worker and node: the rate-limit
# counters live here), else memory private to each process. Short socket timeouts: an
# unreachable Redis must turn into a quick 503 (config/outages.py), not a hung worker.
REDIS_URL = env.redis_url("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Rate limits (config/rate_limits.py): "count/seconds" per limit, "off" for none;
# RATE_LIMITS=false turns them all off. Parsed once here: a bad value stops the process.
RATE_LIMIT_DEFAULTS = {
    "TOKEN_PER_CLIENT": "6000/60",
    "TOKEN_PER_IP": "6000/60",
    "MANAGEMENT_API_PER_TOKEN": "3000/60",
    "SIGN_IN_PER_IP": "100/60",
}
RATE_LIMITS = {
    name: parse_rate(f"RATE_LIMIT_{name}", env.str(f"RATE_LIMIT_{name}", default=default))
    if env.bool("RATE_LIMITS", default=True)
    else None
    for name, default in RATE_LIMIT_DEFAULTS.items()
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first, with OWASP parameters (users/hashers.py): end users' and staff passwords;
# older hashes still verify and are upgraded on the next sign-in.
PASSWORD_HASHERS = [
    "users.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# End users' sign-in sessions (users/sessions.py), Auth0's tenant defaults, in seconds.
USER_SESSION_LIFETIME = env.int("USER_SESSION_LIFETIME", default=168 * 3600, minimum=1)
USER_SESSION_IDLE_LIFETIME = env.int("USER_SESSION_IDLE_LIFETIME", default=72 * 3600, minimum=1)
USER_SESSION_COOKIE_SECURE = env.bool("USER_SESSION_COOKIE_SECURE", default=not DEBUG)

# Staff console sign-in (/login/, /admin/login/) is guarded by django-axes: after
# STAFF_LOGIN_FAILURE_LIMIT failures for one username from one IP, that pair is locked out for
# STAFF_LOGIN_COOLOFF_MINUTES (a 429 page). Axes' backend must come first; it needs the
# request, so code that authenticates staff passes it (Django's login views do).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("STAFF_LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(
    minutes=env.int("STAFF_LOGIN_COOLOFF_MINUTES", default=30, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The same client address as rate limits and log events (TRUSTED_PROXY_HOPS).
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
# Axes stores the submitted form with these masked (the password always is).
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
# Axes keeps no log of successful logins or logouts: the console needs only lockouts.
AXES_DISABLE_ACCESS_LOG = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Flash messages live in the session: no signed message cookie is parsed on every request.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# `manage.py bootstrap` collects static files here; WhiteNoise serves them (git-ignored var/).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production: content-hashed names (so WhiteNoise caches them for a year) and gzip
    # copies, listed in a manifest that collectstatic writes. With DEBUG on (`make run`, the
    # test suite) the plain storage serves from the source folders and needs no collectstatic,
    # so editing app.css shows at once and a missing manifest can never fail a page.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Hard limit on request bodies Django will buffer; /oauth/token applies a tighter one itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Production hardening, exercised by `manage.py check --deploy` with DEBUG off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("TRUST_X_FORWARDED_PROTO", default=False)
    else None
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_URL])
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# A refused CSRF check on a JSON path answers JSON (config/errors.py), like every other error.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# Error pages and admin emails never show local variables or POST values (config/error_reports.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.SecretFreeExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Never log request bodies: /oauth/token bodies carry client secrets.
        "django.request": {"level": "ERROR"},
        # django-axes' start-up banner would be written by every command; its lockout
        # warnings (username, IP, user agent, never the password) still are.
        "axes.apps": {"level": "WARNING"},
    },
}
