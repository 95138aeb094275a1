"""Settings of a minimal portal that mirrors Layman's: Django OAuth Toolkit at
/o/, a login page and a Liferay-style /profile/ endpoint. For tests only."""
import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("DOT_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))

# A fixed key is fine: the server only ever listens on loopback in tests.
SECRET_KEY = "laymanctl-test-portal-not-secret"
DEBUG = os.environ.get("DOT_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "oauth2_provider",
    "portal",
]

MIDDLEWARE = [
    "portal.stats.TokenRequestCounter",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "portal.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "db.sqlite3"),
        # Parallel logins and refreshes write at once: wait for the lock
        # rather than answer 500 "database is locked" after sqlite's 5 s.
        "OPTIONS": {"timeout": 30},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# Logins in tests must be fast; the hasher's strength is irrelevant here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "/accounts/login/"
STATIC_URL = "/static/"
USE_TZ = True
TIME_ZONE = "UTC"

OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("DOT_TOKEN_LIFETIME", "3600")),
    # DOT's defaults (the grace period unless a test sets one), spelled out
    # because laymanctl depends on them.
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": int(os.environ.get("DOT_REFRESH_GRACE", "0")),
    "REQUEST_APPROVAL_PROMPT": "force",
    "SCOPES": {
        "read": "Read your profile and publications",
        "write": "Change your publications",
        "introspection": "Introspect tokens",
    },
    "DEFAULT_SCOPES": ["read", "write"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # DOT logs client secrets at debug level; keep it quiet.
    "loggers": {"oauth2_provider": {"level": "WARNING"}, "oauthlib": {"level": "WARNING"}},
}
