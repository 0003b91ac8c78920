"""Account rules: who may sign up, password checks, reset links and role grants."""
from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.audit.services import record
from portal.auth import sessions
from portal.auth.models import Role, RoleGrant, User
from portal.db_types import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.web.links import absolute_url


class AccountError(ServiceError):
    """An account rule refused the request (sign-up, reset, roles)."""


COMMON_PASSWORDS = {
    "password", "password1", "password123", "passw0rd", "qwerty", "qwertyuiop", "letmein",
    "welcome", "welcome1", "iloveyou", "admin", "changeme", "123456", "12345678", "123456789",
    "1234567890", "abc123", "football", "monkey", "dragon", "sunshine", "princess", "trustno1",
    "university", "password12", "qwerty123",
}


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def allowed_domains() -> list[str]:
    raw = current_app.config["EMAIL_DOMAINS"]
    return [d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip()]


def email_domain_allowed(email: str) -> bool:
    """True when the address is at one of the institution's domains exactly, or at a subdomain of one
    when ALLOW_SUBDOMAINS is set."""
    domain = normalise_email(email).rpartition("@")[2]
    subdomains = bool(current_app.config.get("ALLOW_SUBDOMAINS"))
    return any(domain == d or (subdomains and domain.endswith("." + d)) for d in allowed_domains())


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why a password is too weak, or None when it is acceptable."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return "This password is too easy to guess; choose a less common one."
    local = normalise_email(email).partition("@")[0]
    if local and len(local) >= 4 and local in lowered:
        return "Do not use your email address in your password."
    return None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def sign_up(email: str, name: str, password: str, department: str = "", job_title: str = "") -> User:
    """Create an unverified staff account (it can do nothing until its address is proven: see
    auth/sign_up.py, which mails the link). Refuses other domains, duplicates and weak passwords.
    Side effect: an audit event."""
    email = normalise_email(email)
    if not email_domain_allowed(email):
        domains = ", ".join("@" + d for d in allowed_domains())
        raise AccountError(f"Use your institution email address ({domains}).", "email")
    if find_user_by_email(email) is not None:
        raise AccountError("An account with this email address already exists. Sign in, or reset your password.", "email")
    problem = password_problem(password, email, name)
    if problem:
        raise AccountError(problem, "password")
    user = User(email=email, name=name.strip(), department=department.strip(), job_title=job_title.strip(),
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    # Not verified: set after the insert, because the ORM reads None at insert as "use the column's default"
    # (which verifies the people made in code: the demo, the command line, the tests' factories).
    user.verified_at = None
    record(user, "account.created", user, summary=f"{email} signed up")
    return user


# A fixed hash so that a missing account costs the same time as a wrong password.
_DUMMY_HASH: str | None = None


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Does not say which part was wrong.

    An account whose address is not yet verified is returned without being signed in (check
    `user.is_verified`); an expired or switched-off account gets None."""
    global _DUMMY_HASH
    user = find_user_by_email(email)
    if user is None or not user.is_active_account or user.has_expired:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not-a-real-password")
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if not user.is_verified:
        return user  # the caller tells them to use the emailed link; they are not signed in
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record(user, "auth.signed_in", user)
    return user


# The kind of the mail that carries a live reset link: a copy of it must never leave the portal.
PASSWORD_RESET_MAIL = "password_reset"


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_stamp(user: User) -> str:
    # A keyed digest of the current password hash: it changes when the password does (so a link works
    # once), and unlike a piece of the hash itself it tells a reader of the link nothing about the hash.
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"reset:{user.id}:{user.password_hash}".encode(), hashlib.sha256).hexdigest()[:32]


def make_reset_token(user: User) -> str:
    """A signed, expiring token naming the user and a stamp of their current password, so it works once.

    Nothing of it is stored: the mail carries it as a hidden link (the outbox keeps it only encrypted,
    until sent), and a reset changes the password, and so the stamp, which spends every earlier link.
    """
    return _reset_serializer().dumps({"uid": user.id, "h": _password_stamp(user)})


def user_for_reset_token(token: str) -> User:
    """The user a reset token belongs to; AccountError when expired, tampered or already used."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError("This reset link has expired. Ask for a new one below.")
    except BadSignature:
        raise AccountError("This reset link is not valid. Ask for a new one below.")
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not hmac.compare_digest(_password_stamp(user), str(data.get("h", ""))):
        raise AccountError("This reset link has already been used or is no longer valid. Ask for a new one below.")
    return user


def request_password_reset(email: str) -> None:
    """Queue a reset email when the account exists; the caller says the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    token = make_reset_token(user)
    link = absolute_url("auth.reset_password", token=token)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    body = (
        f"Hello {user.name},\n\n"
        f"Someone (hopefully you) asked to reset the password for your {current_app.config['SCHEME_NAME']} "
        f"cohort portal account.\n\nChoose a new password here (the link works once, for {minutes} minutes):\n"
        f"{link}\n\nIf you did not ask for this, ignore this email; your password has not changed.\n"
    )
    queue_email(user.email, "Reset your cohort portal password", body, kind=PASSWORD_RESET_MAIL, secret_links=[link])
    record(user, "auth.reset_requested", user)


def reset_password(user: User, new_password: str) -> User:
    """Set a new password (checked for strength); invalidates earlier reset links."""
    problem = password_problem(new_password, user.email, user.name)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(new_password)
    record(user, "auth.password_reset", user)
    sessions.revoke_all(user, user, "password reset")
    return user


def change_password(user: User, current_password: str, new_password: str) -> User:
    """Change a signed-in person's password after checking the current one.

    Side effects: the new hash; every sign-in of theirs revoked, this one too (the caller signs this
    device in again with a new token); audit events.
    """
    if not verify_password(user.password_hash, current_password):
        raise AccountError("That is not your current password.", "current_password")
    problem = password_problem(new_password, user.email, user.name)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(new_password)
    record(user, "auth.password_changed", user)
    sessions.revoke_all(user, user, "password changed")
    return user


def sign_out(user: User) -> None:
    """End the sign-in this request came with. Side effects: the sign-in revoked; audit events."""
    record(user, "auth.signed_out", user)
    if user.sign_in_session is not None:
        sessions.revoke_session(user, user.sign_in_session, "signed out")


def sign_out_everywhere(actor: User, user: User) -> int:
    """A lead ends every sign-in of `user` on every device. Side effect: an audit event. Returns how many."""
    return sessions.revoke_all(actor, user, f"signed out everywhere by {actor.name}")


def lead_count() -> int:
    return db.session.scalar(select(func.count()).select_from(RoleGrant).where(RoleGrant.role == Role.LEAD))


def grant_role(actor: User | None, user: User, role: Role) -> User:
    """Give a role (idempotent) and audit it."""
    if role not in user.roles:
        user.role_grants.append(RoleGrant(role=role, granted_by_id=getattr(actor, "id", None)))
        record(actor, "role.granted", user, summary=f"{role.label} granted to {user.email}", role=role.value)
    return user


def revoke_role(actor: User | None, user: User, role: Role) -> User:
    """Take a role away and audit it; the last programme lead cannot be removed."""
    if role not in user.roles:
        return user
    if role == Role.LEAD and lead_count() <= 1:
        raise AccountError("This is the only programme lead; grant the role to someone else first.")
    for grant in list(user.role_grants):
        if grant.role == role:
            user.role_grants.remove(grant)
    record(actor, "role.revoked", user, summary=f"{role.label} revoked from {user.email}", role=role.value)
    return user


def create_lead(email: str, name: str | None, password: str | None) -> tuple[User, bool]:
    """Make a programme lead from the command line, creating the account if needed.

    Returns (user, created). The email domain rule is not applied: the first lead may
    come from anywhere the institution decides.
    """
    user = find_user_by_email(email)
    created = False
    if user is None:
        if not password:
            raise AccountError("A new account needs a password.")
        problem = password_problem(password, email)
        if problem:
            raise AccountError(problem)
        user = User(email=normalise_email(email), name=name or email.partition("@")[0],
                    password_hash=hash_password(password))
        db.session.add(user)
        db.session.flush()
        record(None, "account.created", user, summary=f"{user.email} created from the command line")
        created = True
    grant_role(None, user, Role.LEAD)
    return user, created
