"""Cohort Portal: the app factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import models  # noqa: F401  (registers every table)
from portal.auth import sessions as sign_in_sessions
from portal.blueprints import register_blueprints
from portal.cli import register_cli
from portal.config import DefaultConfig, environment_overrides, instance_secret_key
from portal.extensions import csrf, db, htmx, limiter, login_manager, migrate
from portal.web.errors import register_error_handlers
from portal.web.routing import install_bounded_ints
from portal.web.security import register_security_headers
from portal.web.server import freeze_start_up_objects  # noqa: F401  (wsgi.py and the benchmark call it)
from portal.web.templating import register_template_helpers

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: layered config, extensions, blueprints, CLI, error pages."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(environment_overrides())
    if config:
        app.config.update(config)
    _finish_config(app)
    _trust_proxies(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    _setup_login(app)
    _setup_sqlite(app)

    # Before any blueprint adds a rule: a rule keeps the converter it was made with.
    install_bounded_ints(app)
    register_blueprints(app)

    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)

    # The benchmark builds apps of its own, so the CLI is handed the factory.
    register_cli(app, create_app)
    return app


def _finish_config(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "portal.sqlite3")
    production = app.config.get("ENV_NAME") == "production"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        if len(app.config["SECRET_KEY"]) < 32:
            raise RuntimeError("Refusing to start in production with a short SECRET_KEY.")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    if production:
        refuse_unshared_limits(app.config)


def refuse_unshared_limits(config) -> None:
    """Production needs one rate-limit count for all workers: refuse memory:// unless SINGLE_WORKER is set."""
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://") and config.get("RATELIMIT_ENABLED", True) and not config.get("SINGLE_WORKER"):
        raise RuntimeError(
            "Refusing to start in production with RATELIMIT_STORAGE_URI=memory://: each worker would keep its own "
            "count, so the sign-in limit would not hold. Set PORTAL_RATELIMIT_STORAGE_URI=redis://host:6379/0 "
            "(install the `redis` extra), or PORTAL_SINGLE_WORKER=1 if the portal runs one worker process only.")


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, take the client's address, scheme, host and port from their headers."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops < 0:
        raise RuntimeError("TRUSTED_PROXIES must be 0 or more.")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def _setup_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.teardown_request
    def _forget_cached_user(_exc):
        # flask-login caches the user on g; when an app context outlives the request
        # (tests, the benchmark, CLI), the next request must load its own user.
        g.pop("_login_user", None)
        # Flask-WTF caches the CSRF token and its verdict on g for the same reason.
        g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
        g.pop("csrf_valid", None)

    # The session and the remember cookie carry a sign-in token (User.get_id), never the person's id:
    # a revoked or expired sign-in loads nobody. The person, their roles and the sign-in come in one query.
    login_manager.user_loader(sign_in_sessions.user_for_token)


def _setup_sqlite(app: Flask) -> None:
    """SQLite: enforce foreign keys, wait for locks, and use WAL so readers never block."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    # Copy: the class default dict is shared by every app built in this process.
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    if getattr(_setup_sqlite, "_listening", False):
        return
    _setup_sqlite._listening = True

    @event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection, _record):
        module = type(dbapi_connection).__module__
        if "sqlite" not in module:
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Up to 32 MiB of pages kept per connection (SQLite's default is 2 MiB), so what a big
        # round's pages read stays in memory from one request to the next instead of being read again.
        cursor.execute("PRAGMA cache_size=-32768")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except Exception:  # noqa: BLE001  in-memory databases cannot use WAL
            pass
        cursor.close()

