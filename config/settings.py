"""Settings for the peer specialist LMS, read from the environment (and a .env file)."""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from csp.constants import NONE, REPORT_SAMPLE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
if os.environ.get("LMS_READ_DOTENV", "1") == "1":
    load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable: 1/true/yes/on mean on."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def email_settings(url: str) -> dict:
    """Translate EMAIL_URL (console://, locmem://, file:///path, smtp[s]://user:pass@host:port) into settings."""
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path,
        }
    if scheme in {"smtp", "smtps", "submission"}:
        options = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or {"smtp": 25, "smtps": 465, "submission": 587}[scheme],
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": scheme == "submission" or "tls" in options,
        }
    raise ImproperlyConfigured(f"EMAIL_URL has an unknown scheme: {scheme!r}")


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
# Without SITE_URL, the local address on PORT (`PORT=8431 make run` puts 8431 in emails, share links and QR codes).
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}").rstrip("/")
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "certification@example.org")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms",
    "content",
    "courses",
    "practice",
    "certificates",
    "verification",
    "overview",
    "accounts",
    "privacy",
    "audit",
    "dashboard",
    "demo",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lms.security.PreparedPolicyMiddleware",  # django-csp's CSPMiddleware, its site-wide header built once
    "lms.security.WagtailAdminPolicyMiddleware",
    "lms.security.OverflowAsBadRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lms.responses.PrivateWhenPersonalMiddleware",  # outside the session and CSRF middleware: sees what they did
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "lms.page_tree.PageTreeRoutingMiddleware",  # Wagtail's pages routed through the tree each process keeps
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lms.context_processors.site",
                "practice.context_processors.review_waiting",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lms.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that needs no round trip while the server has said nothing (lms/postgresql).
    DATABASES["default"]["ENGINE"] = "lms.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several server processes share one SQLite file (development, tests; production runs PostgreSQL): lms/apps.py
    # turns on write-ahead logging once (it stays on in the file), so readers never wait for the one writer; with
    # it, commits needn't wait for the disk each time. Transactions stay DEFERRED: IMMEDIATE would take the write
    # lock at BEGIN, and a sign-in's transaction holds it through the password hash; lookups then waited 300 ms.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"init_command": "PRAGMA synchronous=NORMAL;", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One backend, so a login hashes its password once (it inherits ModelBackend's permission checks).
AUTHENTICATION_BACKENDS = ["lms.auth_backends.BoundedAuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupNameForm"  # first and last name, as printed on the certificate
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True  # confirming the address in the browser that signed up logs the person in
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # the subjects (templates/account/email/) name the site themselves
ACCOUNT_ADAPTER = "lms.accounts.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True  # a password, email or 2FA change is told to the account's owner by email
ACCOUNT_FORMS = {  # allauth's forms with the site's labels (accounts/allauth_forms.py)
    name: f"accounts.allauth_forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "add_email": "AddEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Two-factor authentication (allauth.mfa): an authenticator app's codes, with recovery codes as the fallback.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Peer Specialist Training"
MFA_FORMS = {
    "authenticate": "accounts.allauth_forms.AuthenticateForm",
    "reauthenticate": "accounts.allauth_forms.MfaReauthenticateForm",
    "activate_totp": "accounts.allauth_forms.ActivateTOTPForm",
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")


def media_storages(kind: str) -> dict:
    """The default storage (Wagtail images and documents) and the certificates storage: local folders, or a bucket.

    `kind` is MEDIA_STORAGE: "local" (MEDIA_ROOT and CERTIFICATE_ROOT) or "s3" (an S3-compatible bucket through
    django-storages; credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or boto3's usual chain). In a bucket
    nothing gets a public ACL and nothing is overwritten; media go under media/, certificate PDFs under
    certificates/ (the model's upload_to) with unsigned URLs, because they are only ever served through the
    download view, which checks who is asking.
    """
    if kind == "local":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            # Certificate PDFs: private (served only through the download view), never under MEDIA_URL.
            "certificates": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": os.environ.get("CERTIFICATE_ROOT", str(VAR_DIR / "certificates"))},
            },
        }
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {kind!r}.")
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, the bucket to keep files in.")
    private = {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "default_acl": None,
        "file_overwrite": False,
    }
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**private, "location": "media"}},
        "certificates": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **private,
                "bucket_name": os.environ.get("AWS_CERTIFICATES_BUCKET_NAME") or bucket,
                "querystring_auth": False,
            },
        },
    }


def media_origins(kind: str) -> list[str]:
    """Where browsers fetch media from besides this site (the bucket's signed URLs), for the img-src policy."""
    if kind != "s3":
        return []
    endpoint = urlparse(os.environ.get("AWS_S3_ENDPOINT_URL", ""))
    if endpoint.netloc:
        return [f"{endpoint.scheme}://{endpoint.netloc}"]
    bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    region = os.environ.get("AWS_S3_REGION_NAME", "")
    return [f"https://{bucket}.s3.amazonaws.com", *([f"https://{bucket}.s3.{region}.amazonaws.com"] if region else [])]


STORAGES = {
    **media_storages(MEDIA_STORAGE),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "lms.storage.MemoisedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# The Ed25519 key that signs Open Badges credentials: a file holding its private key as multibase (written by
# `manage.py rotate_signing_key`), or the multibase itself in SIGNING_KEY (for secret stores). Development uses
# var/signing-key.json, which `make run` creates.
SIGNING_KEY_FILE = os.environ.get("SIGNING_KEY_FILE", str(VAR_DIR / "signing-key.json") if DEBUG else "")
SIGNING_KEY = os.environ.get("SIGNING_KEY", "")
# Credentials and status lists signed or uploaded are at most this large; certificate PDFs a little larger.
CREDENTIAL_UPLOAD_MAX_BYTES = int(os.environ.get("CREDENTIAL_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))


def cache_settings(url: str) -> tuple[dict, str]:
    """The default cache and where rate limits are counted, from CACHE_URL: (CACHES, RATE_COUNTERS).

    "db://" (the default) keeps the cache in the database every server already shares (the lms_cache table) and
    counts rate limits there with one atomic upsert each; "redis://host:port/db" (or rediss://, unix://) uses
    Django's Redis cache for both, for large deployments. Anything else is refused: a cache each process or machine
    keeps for itself (memory, files) would let every server count its own logins and lookups.
    """
    scheme = urlparse(url).scheme
    if scheme == "db":
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "lms_cache",  # the table of lms.models.CacheEntry, made by migrate
                "OPTIONS": {"MAX_ENTRIES": 100_000},
            }
        }, "database"
    if scheme in {"redis", "rediss", "unix"}:
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}, "cache"
    raise ImproperlyConfigured(
        f"CACHE_URL must be db:// (the default: the database) or redis://host:port/number, not {url!r}. "
        "The cache holds sign-in and lookup limits, so every server must share it."
    )


if os.environ.get("CACHE_LOCATION"):
    raise ImproperlyConfigured(
        "CACHE_LOCATION is no longer used: the cache and the rate limits now live in the database every server "
        "shares. Remove it, or set CACHE_URL=redis://host:port/number to keep them in Redis."
    )
CACHE_URL = os.environ.get("CACHE_URL", "").strip() or "db://"
# allauth's sign-in limits live in the default cache, and lms/ratelimit.py counts lookups in RATE_COUNTERS.
CACHES, RATE_COUNTERS = cache_settings(CACHE_URL)

# Certificate lookups allowed per client address, and per verifier account (its API tokens and CSV checks together):
# "60/m", "1000/h", "10/s" ("off" turns a limit off). Counted where every server sees the same (lms/ratelimit.py).
VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "60/m")
VERIFY_TOKEN_RATE_LIMIT = os.environ.get("VERIFY_TOKEN_RATE_LIMIT", "600/m")
# Verifiers' bulk CSV checks (their rows and results name holders) are deleted this many days after they finish.
_retention = os.environ.get("VERIFICATION_JOB_RETENTION_DAYS", "30").strip()
if not _retention.isdigit() or int(_retention) < 1:
    raise ImproperlyConfigured(
        f"VERIFICATION_JOB_RETENTION_DAYS must be a whole number of days, 1 or more, not {_retention!r}."
    )
VERIFICATION_JOB_RETENTION_DAYS = int(_retention)

# Background tasks (emails, certificate checks and renders, bulk verifications). Development (and the tests' first
# pass) run each task at once in the request; production (and the tests' second pass) sets
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

# Development mail is kept as files in var/mail/ (`manage.py show_mail` prints the latest); otherwise the console.
EMAIL_URL = os.environ.get("EMAIL_URL", f"file://{VAR_DIR / 'mail'}" if DEBUG else "console://")
globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Peer Specialist Training <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

WAGTAIL_SITE_NAME = "Peer Specialist Training"
WAGTAILADMIN_BASE_URL = SITE_URL
# Everyone signs in through allauth's form, which asks for the second factor (lms.views.sign_in_through_the_site),
# and resets a password through allauth's rate-limited form: Wagtail's own reset pages (no limit) are turned off.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILADMIN_LOGIN_URL = "admin_login_elsewhere"  # to the site login, or a 403 for the signed-in (lms/views.py)
WAGTAIL_FRONTEND_LOGIN_URL = "/_util/login/"

# History reasons carry comments and attestation statements, longer than the default 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt"]
# Documents are always served through Wagtail's view (never straight from MEDIA_URL), as downloads: Wagtail adds
# X-Content-Type-Options: nosniff and its own "default-src 'none'" policy to every one.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
WAGTAILDOCS_BLOCK_EMBEDDED_CONTENT = True
# Image uploads (a programme's signature image printed on its certificates): PNG, JPEG or WebP only, never SVG;
# lms/uploads.py re-encodes every original with Pillow, which drops EXIF (GPS included) and refuses what it can't read.
WAGTAILIMAGES_EXTENSIONS = ["png", "jpg", "jpeg", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = int(os.environ.get("WAGTAILIMAGES_MAX_UPLOAD_SIZE", str(5 * 1024 * 1024)))
WAGTAILIMAGES_MAX_IMAGE_PIXELS = int(os.environ.get("WAGTAILIMAGES_MAX_IMAGE_PIXELS", str(25_000_000)))
WAGTAILIMAGES_IMAGE_FORM_BASE = "lms.uploads.ReencodedImageForm"
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# --- Security ------------------------------------------------------------------------------------------------------
# Production runs behind a TLS-terminating proxy that sets X-Forwarded-Proto (and must overwrite any value the client
# sent). Off DEBUG: plain http is redirected to https (except /healthz, for load balancers), HSTS for a year,
# cookies only over https. DEBUG keeps plain http working: no redirect, no HSTS, no Secure cookies.
# `manage.py check --deploy` passes without warnings on these values.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SAMESITE = "Lax"
# Nothing may frame our pages, except Wagtail's own preview (the editor's preview panel and StreamField block
# previews), whose views set X-Frame-Options: SAMEORIGIN; lms.security.WagtailAdminPolicyMiddleware gives those
# responses frame-ancestors 'self' to match.
X_FRAME_OPTIONS = "DENY"
# No avatars from gravatar.com and no update check against releases.wagtail.io from the admin: both are third-party
# requests the policy below would block anyway (and the first gives away a hash of every admin's email address).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Content Security Policy (django-csp 4.0): scripts only from our own origin, never inline or eval'd. What the Wagtail
# admin needs on top (framed previews, Draftail's <style> elements, upload thumbnails) is added by lms/security.py.
# The environment's CSP_FRAME_SRC lists the origins a video block may embed (YouTube and Vimeo by default).
video_frame_origins = env_list(
    "CSP_FRAME_SRC", "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # 'report-sample': a violation report (and event) quotes the first 40 characters of what was blocked.
        "script-src": [SELF, REPORT_SAMPLE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "frame-src": [SELF, *video_frame_origins],
        "img-src": [SELF, "data:", *media_origins(MEDIA_STORAGE)],
        "style-src": [SELF],
        # style="..." attributes only (the progress bars' widths, Wagtail's admin); <style> elements stay out.
        "style-src-attr": [UNSAFE_INLINE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
