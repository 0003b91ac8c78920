"""Revocable sign-ins: one random token a sign-in (and its remembered device), kept only as a hash.

Flask-Login keeps the token (User.get_id) in the session cookie and, for a remembered device, in
the remember cookie. Every request looks the token up with the person and their roles in one query;
a revoked, expired or unknown token signs nobody in, so a copied cookie stops working once its
sign-in ends: at sign-out, when the person revokes the device under My data, and for every device
at a password reset or change and when a lead signs the person out everywhere.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app, request, session
from flask_login import login_user
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit.services import record
from portal.auth.models import SignInSession, User
from portal.db_types import utcnow
from portal.extensions import db

# last_seen_at is written at most this often, so a page view is not a write.
TOUCH_EVERY = timedelta(minutes=5)

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def hash_token(token: str) -> str:
    """The SHA-256 (hex) a token is stored as."""
    return hashlib.sha256(token.encode()).hexdigest()


def device_summary(user_agent: str) -> str:
    """A short name for a browser ("Firefox on Linux"), never the whole user-agent string."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or re.sub(r"[^\w ./()-]", "", user_agent)[:60] or "Unknown device"


def _expiry(now: datetime, remembered: bool) -> datetime:
    seconds = current_app.config["REMEMBER_COOKIE_DURATION" if remembered else "SIGN_IN_IDLE_SECONDS"]
    return now + timedelta(seconds=int(seconds))


def start_session(user: User, remembered: bool, user_agent: str = "") -> str:
    """Add a new sign-in for `user` and attach its token to them; returns the token (kept only hashed)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = SignInSession(user_id=user.id, token_hash=hash_token(token), created_at=now, last_seen_at=now,
                        expires_at=_expiry(now, remembered), remembered=remembered,
                        user_agent=device_summary(user_agent))
    db.session.add(row)
    db.session.flush()
    user.sign_in_token, user.sign_in_session = token, row
    return token


def sign_in(user: User, remember: bool = False) -> None:
    """Sign `user` in on this browser with a new token (never the one it came with: no fixation).

    Side effects: this browser's earlier sign-in, if any, is revoked (audited); a new SignInSession;
    the Flask-Login session (and remember cookie). The caller commits.
    """
    previous = live_session_for(session.get("_user_id"))
    if previous is not None:
        revoke_session(user, previous, "signed in again on the same device")
    start_session(user, remember, request.headers.get("User-Agent", ""))
    login_user(user, remember=remember)


def live_session_for(token) -> SignInSession | None:
    """The live (not revoked, not expired) sign-in for a token, or None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return db.session.scalar(select(SignInSession).where(
        SignInSession.token_hash == hash_token(token), SignInSession.revoked_at.is_(None),
        SignInSession.expires_at > utcnow()))


def user_for_token(token) -> User | None:
    """The person a live token signs in, with their roles and sign-in, in one query; None otherwise.

    Side effect: at most every TOUCH_EVERY, last_seen_at (and a sign-in that is not remembered, its
    expiry) moves on, in a short transaction of its own so that the request's own is untouched.
    """
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = utcnow()
    found = db.session.execute(
        select(User, SignInSession).join(SignInSession, SignInSession.user_id == User.id)
        .options(joinedload(User.role_grants))
        .where(SignInSession.token_hash == hash_token(token), SignInSession.revoked_at.is_(None),
               SignInSession.expires_at > now, User.is_active_account.is_(True))).unique().first()
    if found is None:
        return None
    user, row = found
    if now - row.last_seen_at >= TOUCH_EVERY:
        values = {"last_seen_at": now} if row.remembered else {"last_seen_at": now,
                                                               "expires_at": _expiry(now, False)}
        with db.engine.begin() as connection:
            connection.execute(update(SignInSession).where(SignInSession.id == row.id).values(**values))
        for name, value in values.items():
            set_committed_value(row, name, value)
    user.sign_in_token, user.sign_in_session = token, row
    return user


def live_sessions(user: User) -> list[SignInSession]:
    """The person's sign-ins that still work, newest first."""
    return list(db.session.scalars(select(SignInSession).where(
        SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None), SignInSession.expires_at > utcnow())
        .order_by(SignInSession.last_seen_at.desc(), SignInSession.id.desc())))


def revoke_session(actor: User | None, row: SignInSession, reason: str) -> SignInSession:
    """End one sign-in; its cookies stop working. Side effect: an audit event (never the token)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(actor, "auth.session_revoked", row, summary=f"A sign-in ended: {reason}", user_id=row.user_id,
               reason=reason)
    return row


def revoke_all(actor: User | None, user: User, reason: str) -> int:
    """End every live sign-in of `user`, on every device. Side effect: one audit event. Returns how many."""
    now = utcnow()
    ended = db.session.execute(
        update(SignInSession).where(SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None),
                                    SignInSession.expires_at > now)
        .values(revoked_at=now).execution_options(synchronize_session="fetch")).rowcount
    record(actor, "auth.sessions_revoked", user, summary=f"Every sign-in of {user.email} ended: {reason}",
           count=ended, reason=reason)
    return ended


def delete_ended_before(cutoff: datetime) -> int:
    """Retention: delete sign-ins revoked or expired before `cutoff`. Returns how many. Caller commits."""
    return db.session.execute(delete(SignInSession).where(or_(
        SignInSession.revoked_at < cutoff, SignInSession.expires_at < cutoff))).rowcount


def sign_in_history(user: User) -> list[SignInSession]:
    """Every sign-in kept for `user`, oldest first (for the subject access export)."""
    return list(db.session.scalars(select(SignInSession).where(SignInSession.user_id == user.id)
                                   .order_by(SignInSession.id)))
