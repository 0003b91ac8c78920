"""Configuration defaults, layered: class defaults -> instance/config.py -> PORTAL_* environment -> test mapping."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


class DefaultConfig:
    # Identity of the institution and its scheme.
    INSTITUTION_NAME = "University of Example"
    SCHEME_NAME = "CMALT"
    TIMEZONE = "Europe/London"
    # Comma-separated list of email domains allowed to sign up.
    EMAIL_DOMAINS = "example.ac.uk"
    # Sign-up matches the domains exactly; True also accepts their subdomains (staff.example.ac.uk).
    ALLOW_SUBDOMAINS = False
    # A sign-up's link to prove the address works once, for this many seconds; an invitation's for longer.
    SIGN_UP_LINK_MAX_AGE = 60 * 60 * 24
    INVITATION_MAX_AGE = 60 * 60 * 24 * 14

    # Database: SQLite in instance/ unless DATABASE_URL says otherwise.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Sessions and cookies.
    SECRET_KEY: str | None = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # switched on when PORTAL_ENV=production
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    # A sign-in (portal.auth.sessions) ends after this many seconds without a visit, unless remembered;
    # a remembered device lasts REMEMBER_COOKIE_DURATION seconds from sign-in.
    SIGN_IN_IDLE_SECONDS = 60 * 60 * 12
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    # Password reset links expire after this many seconds.
    PASSWORD_RESET_MAX_AGE = 60 * 60
    PASSWORD_MIN_LENGTH = 10

    # Login rate limiting (Flask-Limiter). memory:// by default, redis://… optional.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # Sign-up, reset and re-sent links are also limited per posted address (a keyed hash of it).
    ADDRESS_RATE_LIMIT = "3 per 10 minutes;10 per day"
    RATELIMIT_HEADERS_ENABLED = True
    # In production the limits must be shared by every worker: a redis:// store (the `redis` extra).
    # memory:// keeps one count per process, so production refuses it unless SINGLE_WORKER says the
    # portal runs one worker process only (PORTAL_SINGLE_WORKER=1).
    SINGLE_WORKER = False

    # How many proxies in front of the portal set X-Forwarded-For/-Proto/-Host/-Port (werkzeug's ProxyFix).
    # 0 (the default) trusts none: the client address is the connection's. Behind one nginx, set 1. Never set
    # more than there are: a client could then choose its own address (and its own rate-limit bucket).
    TRUSTED_PROXIES = 0

    # Outgoing mail. With no MAIL_SERVER, mail stays in the outbox (readable by leads).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "cohort-portal@example.ac.uk"
    OUTBOX_MAX_ATTEMPTS = 8
    # Seconds a sender's claim on a message (and the SQLite sender lease) lasts without news: a claim
    # older than this was left by a sender that died, and the message is sent again.
    OUTBOX_CLAIM_TIMEOUT = 600

    # Largest request body accepted (uploads are checked again per feature, e.g. 10 MB PDFs).
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # Public base URL, used in emails and calendar feeds.
    BASE_URL = "http://127.0.0.1:5000"

    # Argon2 cost; tests lower it.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19456

    # Proposals not selected are anonymised this many months after the decision.
    RETENTION_MONTHS = 12
    # Sent and failed mail keeps its recipient, subject and body this many days, then retention blanks them.
    OUTBOX_RETENTION_DAYS = 90
    # Audit events keep their summaries and details (which quote names and text) this many months.
    AUDIT_RETENTION_MONTHS = 24
    # Sign-ins that were revoked or expired are kept this many days (they show under My data), then deleted.
    SIGN_IN_RETENTION_DAYS = 90

    # Live calendar feed links one person may hold (one a device or app; revoked ones do not count).
    FEED_LINKS_PER_PERSON = 10

    # Institutional sign-in (OpenID Connect, portal/auth/oidc.py): off while OIDC_DISCOVERY_URL is empty.
    # OIDC_ISSUER is the issuer ID tokens must carry (for Microsoft Entra ID the tenant's own,
    # https://login.microsoftonline.com/<tenant id>/v2.0); empty means the discovery document's.
    OIDC_DISCOVERY_URL = ""
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_ISSUER = ""
    OIDC_NAME = ""  # the button says "Sign in with <OIDC_NAME>" (INSTITUTION_NAME when empty)
    OIDC_SCOPES = "openid email profile"
    # Group claims to portal roles, "group=role,group2=role2" (roles: panel, mentor, lead). The roles
    # named here follow the groups at every sign-in: added when a group maps to one, removed when none does.
    OIDC_GROUP_ROLES = ""
    OIDC_GROUPS_CLAIM = "groups"
    # Off: an account at one of EMAIL_DOMAINS that is linked to the provider cannot sign in with a password.
    OIDC_PASSWORDS_FOR_INSTITUTION = True
    OIDC_TIMEOUT = 10  # seconds for each call to the provider

    ENV_NAME = "development"


_BOOL_TRUE = {"1", "true", "yes", "on"}

# Keys that take integers or booleans from the environment.
_INT_KEYS = {"MAIL_PORT", "PASSWORD_RESET_MAX_AGE", "PASSWORD_MIN_LENGTH", "OUTBOX_MAX_ATTEMPTS",
             "MAIL_TIMEOUT", "ARGON2_TIME_COST", "RETENTION_MONTHS", "OUTBOX_CLAIM_TIMEOUT",
             "OUTBOX_RETENTION_DAYS", "AUDIT_RETENTION_MONTHS", "ARGON2_MEMORY_COST", "PERMANENT_SESSION_LIFETIME",
             "FEED_LINKS_PER_PERSON", "SIGN_UP_LINK_MAX_AGE", "INVITATION_MAX_AGE", "SIGN_IN_IDLE_SECONDS",
             "REMEMBER_COOKIE_DURATION", "OIDC_TIMEOUT", "TRUSTED_PROXIES"}
_BOOL_KEYS = {"ALLOW_SUBDOMAINS", "MAIL_USE_TLS", "MAIL_USE_SSL", "RATELIMIT_ENABLED", "SESSION_COOKIE_SECURE",
              "REMEMBER_COOKIE_SECURE", "OIDC_PASSWORDS_FOR_INSTITUTION", "SINGLE_WORKER"}


def environment_overrides(environ: dict[str, str] | None = None) -> dict:
    """Read PORTAL_* variables (plus the conventional DATABASE_URL and SECRET_KEY)."""
    environ = os.environ if environ is None else environ
    out: dict = {}
    for key, value in environ.items():
        if not key.startswith("PORTAL_"):
            continue
        name = key[len("PORTAL_"):]
        if name in _INT_KEYS:
            out[name] = int(value)
        elif name in _BOOL_KEYS:
            out[name] = value.strip().lower() in _BOOL_TRUE
        else:
            out[name] = value
    if environ.get("DATABASE_URL"):
        out["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    if environ.get("SECRET_KEY"):
        out["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("PORTAL_ENV"):
        out["ENV_NAME"] = environ["PORTAL_ENV"]
    return out


def normalise_database_url(url: str) -> str:
    """Point plain postgres:// URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: str) -> str:
    """Read the secret key from instance/, generating it once if it does not exist."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
