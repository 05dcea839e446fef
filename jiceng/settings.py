"""Django settings for Jiceng, read from the environment (see README: Configuration)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF

from jiceng import environment as env

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env.data_folder()

DEBUG = env.env_bool("JICENG_DEBUG", False)
SECRET_KEY = env.secret_key(DATA_DIR, debug=DEBUG)
ALLOWED_HOSTS = env.env_list("JICENG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.env_list("JICENG_CSRF_TRUSTED_ORIGINS", [])
# Key for ID numbers encrypted at rest and their lookup digests (see core.identity_vault).
FIELD_KEY = env.field_key(DATA_DIR)
# This deployment's county code for federation (jiceng.federation); empty: read from the regions.
JICENG_REGION_CODE = env.env_str("JICENG_REGION_CODE", "").strip()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API reference's Swagger UI from its own static files, not a CDN
    "auditlog",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "jiceng.core",
    "jiceng.cases",
    "jiceng.ledger",
    "jiceng.federation",
    "jiceng.risk",
    "jiceng.documents",
    "jiceng.inspections",
    "jiceng.hall",
    "jiceng.ltc",
    "jiceng.gas",
    "jiceng.ebike",
    "jiceng.power",
    "jiceng.lottery",
    "jiceng.projects",
    "jiceng.youth",
    "jiceng.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.web.language.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jiceng.web.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jiceng.web.common.RefusedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "jiceng.web.context.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.database_config(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# Passwords: Argon2 first; the others only verify hashes made before a switch.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Optional single sign-on (OpenID Connect): on when JICENG_OIDC_CLIENT_ID is set. The provider's
# identity is matched to an existing account by one claim; it never creates accounts or roles.
OIDC_ENABLED = bool(env.env_str("JICENG_OIDC_CLIENT_ID").strip())
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("jiceng.web.accounts.oidc.MatchingOIDCBackend")
    OIDC_RP_CLIENT_ID = env.env_str("JICENG_OIDC_CLIENT_ID").strip()
    OIDC_RP_CLIENT_SECRET = env.env_required("JICENG_OIDC_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.env_required("JICENG_OIDC_AUTHORIZATION_URL")
    OIDC_OP_TOKEN_ENDPOINT = env.env_required("JICENG_OIDC_TOKEN_URL")
    OIDC_OP_USER_ENDPOINT = env.env_required("JICENG_OIDC_USERINFO_URL")
    OIDC_OP_JWKS_ENDPOINT = env.env_required("JICENG_OIDC_JWKS_URL")
    OIDC_RP_SIGN_ALGO = env.env_str("JICENG_OIDC_SIGN_ALGO", "RS256").strip() or "RS256"
    OIDC_RP_SCOPES = "openid profile"
    OIDC_CREATE_USER = False
    OIDC_USE_NONCE = True
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
JICENG_OIDC_USERNAME_CLAIM = env.env_str("JICENG_OIDC_USERNAME_CLAIM", "preferred_username")
JICENG_OIDC_PROVIDER_NAME = env.env_str("JICENG_OIDC_PROVIDER_NAME", "").strip()

# Login throttling (django-axes): five failures for one username from one address lock it out.
AXES_FAILURE_LIMIT = env.env_int("JICENG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Internationalisation: zh-Hans by default, English on request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# Office hours of a working day (local time), for deadlines counted in working hours.
WORKING_HOURS = env.env_working_hours("JICENG_WORKING_HOURS", "08:30-12:00,13:30-17:30")
USE_I18N = True
USE_TZ = True

# Static files are served by the app process itself (WhiteNoise); nothing comes from a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS: list[Path] = []
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads live in the data folder, outside the static root, and are never served as static.
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/media/"
UPLOAD_MAX_BYTES = env.env_int("JICENG_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

# Security baseline.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# JICENG_HTTPS=1 behind a TLS-terminating proxy: secure cookies, HSTS, redirect to https.
HTTPS = env.env_bool("JICENG_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env.env_bool("JICENG_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a choice for the site's operator

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Background work: Django's Tasks API (django-tasks backport) with its database backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Nightly backups (jiceng.core.backup) into DATA_DIR/backups: how many archives are kept.
BACKUP_KEEP = env.env_int("JICENG_BACKUP_KEEP", 14, minimum=1)

# Open311 reads (GET requests) without an api_key answer with a public view; 0 refuses them.
OPEN311_PUBLIC_READ = env.env_bool("JICENG_OPEN311_PUBLIC_READ", True)

# Audit (django-auditlog): the acting user is recorded by its middleware.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_ids": {"()": "jiceng.core.identifiers.MaskIdentityNumbersFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_ids"],
        }
    },
    "root": {"handlers": ["console"], "level": env.env_str("JICENG_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
