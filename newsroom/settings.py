"""Newsroom settings: one module, driven by the environment (see .env.example).

With nothing set you get a local development site: SQLite, local-memory cache,
e-mail printed to the console. Production sets DEBUG=0 and real values.
"""

import os
import sys
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Real environment variables win over the optional .env file.
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# Core
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # One clear line instead of a traceback: production must be configured.
        sys.exit("Newsroom refuses to start: SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="النشرة")

INSTALLED_APPS = [
    # The admin behind a second factor (accounts/admin_site.py).
    "newsroom.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "simple_history",
    "django_prose_editor",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "accounts.newsletters",
    "accounts.push",
    "anymail",
    "articles",
]

MIDDLEWARE = [
    # First: every response carries it, static files and cached pages too.
    "newsroom.headers.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # ETags and 304s, for pages from the page cache too.
    "django.middleware.http.ConditionalGetMiddleware",
    # Before sessions and users: a cached public page is the same for all.
    "newsroom.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.otp_device: what verified this session's second factor.
    "accounts.middleware.SecondFactorMiddleware",
    # Outside the messages middleware, to see the cookie it sets.
    "accounts.middleware.ReaderStateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                # {% csp_nonce_attr %}: the admin's rich-text editor needs it.
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
                "articles.context_processors.navigation",
            ],
        },
    },
]

# Database
# Default database engine is SQLite (a file beside manage.py); production sets
# DATABASE_URL=postgres://user:password@host:5432/name (psycopg 3).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# Production workers keep their connection (a new PostgreSQL connection costs
# a few milliseconds per request); health checks drop a dead one. runserver's
# thread per request would only pile connections up, so not in development.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "CONN_MAX_AGE", default=0 if DEBUG else 60
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE avoids
    # "database is locked" on write transactions that start with a read.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (Index.include) are a PostgreSQL speed-up; SQLite builds
# the same index without the extra columns, which is all W040 warns about.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Cache: local memory by default, Redis in production (CACHE_URL=redis://...).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://newsroom")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # An outage of Redis must not be one of the site (newsroom/redis_cache.py):
    # short timeouts, and a miss instead of an error.
    CACHES["default"]["BACKEND"] = "newsroom.redis_cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
            "socket_timeout": env.float("CACHE_TIMEOUT", default=0.5),
        }
    )
# After a failed call, how long the site goes without calling Redis at all.
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5.0)
# Search under a flood (articles/search/guard.py): searches one reader (IP)
# may run a minute, and searches one process runs at once.
SEARCHES_PER_MINUTE = env.int("SEARCHES_PER_MINUTE", default=30)
SEARCH_CONCURRENCY = env.int("SEARCH_CONCURRENCY", default=2)
# Longest life of a public page in shared caches (s-maxage); publishing
# invalidates it at once, and it ends early when a scheduled story comes due.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Edge caches to purge by surrogate key (Varnish with xkey), comma-separated
# base URLs such as http://10.0.0.5:6081/; none: nothing to purge.
EDGE_PURGE_URLS = env.list("EDGE_PURGE_URLS", default=[])
# Sessions read from the cache, written through to the database: the state
# endpoint that every signed-in page view calls reads no session row.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background tasks (django.tasks): run inline unless production picks the
# database backend (TASKS_BACKEND=django_tasks_db.DatabaseBackend + db_worker).
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Auth
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Staff second factor (accounts/second_factor.py): the name authenticator
# apps show beside the code.
OTP_TOTP_ISSUER = SITE_NAME
# Passkeys (accounts/passkeys.py): the relying party is SITE_URL's host (a
# parent domain may be set instead), and browsers' answers must come from its
# origin. Browsers refuse IP addresses: try them on http://localhost:8000.
PASSKEY_RP_ID = env.str("PASSKEY_RP_ID", default=urlsplit(SITE_URL).hostname or "")
PASSKEY_ORIGINS = env.list(
    "PASSKEY_ORIGINS",
    default=[f"{urlsplit(SITE_URL).scheme}://{urlsplit(SITE_URL).netloc}"],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# E-mail (Django 6.1 mailers): printed to the console in development, else
# EMAIL_URL=smtp+tls://user:pass@host:587. Newsletters may go through another
# provider (NEWSLETTER_EMAIL_URL), since bulk and transactional mail differ.
_SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
}


def _mailer(url):
    if not url:
        # Decoded, so that a verification link can be clicked (newsroom/mail.py).
        return {"BACKEND": "newsroom.mail.ReadableConsoleBackend", "OPTIONS": {}}
    config = env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            option: config[name]
            for name, option in _SMTP_OPTIONS.items()
            if config.get(name) is not None
        }
        options.setdefault("timeout", 10)
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": config["EMAIL_FILE_PATH"]}
    return {"BACKEND": backend, "OPTIONS": options}


# Production without EMAIL_URL uses a local MTA, as Django itself would;
# development without it prints mail to the console.
EMAIL_URL = env.str("EMAIL_URL", default="") or ("" if DEBUG else "smtp://localhost:25")
MAILERS = {
    "default": _mailer(EMAIL_URL),
    "newsletters": _mailer(env.str("NEWSLETTER_EMAIL_URL", default="") or EMAIL_URL),
}
# Or newsletters through a provider's API with django-anymail:
# NEWSLETTER_ESP=amazon_ses, mailgun, postmark, sendgrid, brevo, … and the
# provider's settings as ANYMAIL_<NAME> variables (ANYMAIL_POSTMARK_SERVER_TOKEN,
# ANYMAIL_MAILGUN_API_KEY, …). ANYMAIL_WEBHOOK_SECRET ("user:password")
# switches on the providers' bounce and complaint webhooks
# (accounts/newsletters/feedback.py); without it they are not served.
NEWSLETTER_ESP = env.str("NEWSLETTER_ESP", default="")
if NEWSLETTER_ESP:
    MAILERS["newsletters"] = {
        "BACKEND": f"anymail.backends.{NEWSLETTER_ESP}.EmailBackend",
        "OPTIONS": {},
    }
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="النشرة <news@localhost>")
NEWSLETTER_FROM_EMAIL = env.str("NEWSLETTER_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
# How long a newsletter worker's claim on a batch lasts without its heartbeat:
# what a killed worker's batch waits before another sends it.
NEWSLETTER_LEASE_SECONDS = env.int("NEWSLETTER_LEASE_SECONDS", default=45)
# The mailto: of List-Unsubscribe; unsubscribe@<sender's domain> when empty.
NEWSLETTER_UNSUBSCRIBE_MAILTO = env.str("NEWSLETTER_UNSUBSCRIBE_MAILTO", default="")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Web push (accounts/push): breaking news to readers' browsers, off until both
# VAPID keys are set (`manage.py generate_vapid_keys` makes a pair). The
# subject is a mailto: or https: address push services can reach us at.
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env.str(
    "VAPID_SUBJECT", default=f"mailto:{parseaddr(DEFAULT_FROM_EMAIL)[1]}"
)
# At most one alert per browser in this many minutes; later ones skip it.
PUSH_QUIET_MINUTES = env.int("PUSH_QUIET_MINUTES", default=5)
# Threads posting to push services while an alert goes out.
PUSH_SEND_THREADS = env.int("PUSH_SEND_THREADS", default=8)
# The only hosts (and their subdomains) a subscription may point us at: the
# browsers' push services. "*" allows any https host name.
PUSH_SERVICE_HOSTS = env.list(
    "PUSH_SERVICE_HOSTS",
    default=[
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    ],
)
# http://localhost endpoints, for development and tests only.
PUSH_ALLOW_LOCALHOST = DEBUG

# Internationalisation: Arabic first, English as the second interface language.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("العربية")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["newsroom.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Riyadh")

# Static & media
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Let Django serve uploads itself (always in development).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# Uploaded originals keep their camera metadata (GPS, serial numbers): they
# stay outside MEDIA_ROOT, with no URL; readers get renditions made from them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "originals": {"BACKEND": "articles.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Or media on object storage (any S3 API: AWS, Cloudflare R2, MinIO, …), so
# that every web host serves the same files: renditions in a public bucket
# (or behind MEDIA_CUSTOM_DOMAIN, a CDN), originals in a private one that
# only the admin reads, through Django.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    _s3 = {
        "endpoint_url": env.str("MEDIA_ENDPOINT_URL", default=None),
        "region_name": env.str("MEDIA_REGION", default=None),
        "access_key": env.str("MEDIA_ACCESS_KEY_ID", default=None),
        "secret_key": env.str("MEDIA_SECRET_ACCESS_KEY", default=None),
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": env.str("MEDIA_BUCKET"),
            "custom_domain": env.str("MEDIA_CUSTOM_DOMAIN", default=None),
            "querystring_auth": False,  # public files, plain addresses
            # Rendition names are random and never reused.
            "object_parameters": {
                "CacheControl": "public, max-age=31536000, immutable"
            },
        },
    }
    STORAGES["originals"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3, "bucket_name": env.str("MEDIA_PRIVATE_BUCKET")},
    }
# The article editor's story-body blocks (articles/editor.py). The processors
# tell django-prose-editor what they produce; articles/sanitize.py decides.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("js/admin-body-blocks.js")],
        "extensions": {
            "NewsPicture": html_tags(["figure"], {"figure": ["data-picture"]}),
            "NewsEmbed": html_tags(["figure"], {"figure": ["data-url"]}),
            "ToolbarLabels": html_tags([]),
        },
    }
]

# Uploads bigger than this are refused before Pillow opens them.
MAX_UPLOAD_IMAGE_BYTES = env.int("MAX_UPLOAD_IMAGE_BYTES", default=10 * 1024 * 1024)
MAX_UPLOAD_IMAGE_PIXELS = env.int("MAX_UPLOAD_IMAGE_PIXELS", default=40_000_000)
# The background worker gives up on an image's renditions after this long.
IMAGE_RENDER_SECONDS = env.int("IMAGE_RENDER_SECONDS", default=60)

# Security
# Where pictures come from when media is not on this site (MEDIA_STORAGE=s3).
MEDIA_ORIGINS = []
if MEDIA_STORAGE == "s3":
    _media = STORAGES["default"]["OPTIONS"]
    MEDIA_ORIGINS = [
        f"https://{_media['custom_domain']}"
        if _media["custom_domain"]
        else _media["endpoint_url"]
        or f"https://{_media['bucket_name']}.s3.amazonaws.com"
    ]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:", *MEDIA_ORIGINS],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page of ours uses, off for the site and every frame in
# it; passkeys (WebAuthn) stay open to our own origin. Web push needs no entry:
# no policy feature governs it. Allowlists as the header writes them.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "bluetooth": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
SESSION_COOKIE_HTTPONLY = True
# Reverse proxies in front of the app whose X-Forwarded-For entries we trust,
# so rate limits see the reader's address rather than the load balancer's.
THROTTLE_TRUSTED_PROXIES = env.int("THROTTLE_TRUSTED_PROXIES", default=0)
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
    )
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # /healthz is probed over plain HTTP by load balancers.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Logging: everything to the console; the process manager collects it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The same failure once a minute, not once per request (newsroom/log_filters.py).
    "filters": {"repeats": {"()": "newsroom.log_filters.RepeatedErrorFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["repeats"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
