"""Verified sign-up: the one-time link that proves a new account's address, and its neutral answers.

The sign-up form answers the same whether or not the address has an account: a new address gets
a link to prove it; the owner of an existing account gets an email saying so instead. Until the
link is used the account can do nothing (`User.is_active`). Links are random, kept only as their
SHA-256, single use, and expire after SIGN_UP_LINK_MAX_AGE seconds. Audit events never hold a token.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from portal.audit.services import record
from portal.auth.link_models import EmailVerification
from portal.auth.models import User
from portal.auth.services import (AccountError, allowed_domains, email_domain_allowed, find_user_by_email,
                                  hash_password, normalise_email, password_problem, sign_up, verify_password)
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.web.links import absolute_url

# Mail kinds: the first carries a live link.
VERIFY_MAIL = "sign_up_verification"
ALREADY_REGISTERED_MAIL = "sign_up_existing_account"


def new_token() -> tuple[str, str]:
    """A random URL-safe token and the SHA-256 (hex) it is stored as."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _hours() -> int:
    return max(1, int(current_app.config["SIGN_UP_LINK_MAX_AGE"]) // 3600)


def send_verification(user: User) -> None:
    """Mail `user` a fresh link to prove their address. Side effects: earlier unused links of theirs
    deleted, a new EmailVerification row (the hash only), the email, an audit event."""
    db.session.execute(delete(EmailVerification).where(EmailVerification.user_id == user.id,
                                                       EmailVerification.used_at.is_(None)))
    token, digest = new_token()
    now = utcnow()
    lifetime = timedelta(seconds=int(current_app.config["SIGN_UP_LINK_MAX_AGE"]))
    db.session.add(EmailVerification(user_id=user.id, token_hash=digest, created_at=now, expires_at=now + lifetime))
    link = absolute_url("auth.verify_email", token=token)
    scheme = current_app.config["SCHEME_NAME"]
    body = (
        f"Hello {user.name},\n\n"
        f"Someone (hopefully you) created a {scheme} cohort portal account with this address.\n\n"
        f"To finish, open this link and enter the password you chose (it works once, for {_hours()} hours):\n"
        f"{link}\n\nIf this was not you, ignore this email: the account can do nothing until the link is used.\n"
    )
    queue_email(user.email, "Confirm your cohort portal email address", body, kind=VERIFY_MAIL, secret_links=[link])
    record(user, "account.verification_sent", user, summary=f"Confirmation link sent to {user.email}")


def _tell_existing_owner(user: User) -> None:
    sign_in, reset = absolute_url("auth.sign_in"), absolute_url("auth.reset_request")
    body = (
        f"Hello {user.name},\n\n"
        f"Someone (hopefully you) tried to create a cohort portal account with this address, but you already "
        f"have one.\n\nSign in here: {sign_in}\nForgotten your password? Choose a new one here: {reset}\n\n"
        f"If this was not you, you need do nothing: your account has not changed.\n"
    )
    queue_email(user.email, "You already have a cohort portal account", body, kind=ALREADY_REGISTERED_MAIL)
    record(None, "account.sign_up_repeated", user, summary=f"Sign-up tried again for {user.email}")


def request_sign_up(email: str, name: str, password: str, department: str = "", job_title: str = "") -> None:
    """Start a sign-up; the caller answers the same whatever happened here.

    Refuses (AccountError) only what does not depend on whether the address has an account: another
    domain, or a weak password. Then: a new address gets an unverified account and a link; an
    unverified account takes the new details and gets a fresh link (earlier links stop working); an
    existing verified account is left alone and its owner is emailed instead. Audited each way.
    """
    email = normalise_email(email)
    if not email_domain_allowed(email):
        domains = ", ".join("@" + d for d in allowed_domains())
        raise AccountError(f"Use your institution email address ({domains}).", "email")
    problem = password_problem(password, email, name)
    if problem:
        raise AccountError(problem, "password")
    user = find_user_by_email(email)
    if user is None:
        user = sign_up(email, name, password, department=department, job_title=job_title)
    elif user.is_verified or not user.is_active_account:
        hash_password(password)  # the same work as a new account, so the answer takes as long
        if user.is_active_account:
            _tell_existing_owner(user)
        return
    else:
        user.name, user.department, user.job_title = name.strip(), department.strip(), job_title.strip()
        user.password_hash = hash_password(password)
        record(user, "account.sign_up_repeated", user, summary=f"{email} signed up again before confirming")
    send_verification(user)


def resend_verification(email: str) -> None:
    """Mail a fresh link when the address has an unverified account; else nothing (the caller's answer
    is the same). Side effects: those of send_verification."""
    user = find_user_by_email(email)
    if user is not None and not user.is_verified and user.is_active_account:
        send_verification(user)


def verification_for_token(token: str) -> EmailVerification:
    """The live link a token belongs to; AccountError when unknown, used or expired."""
    row = db.session.scalar(select(EmailVerification).where(EmailVerification.token_hash == token_hash(token)))
    if row is None or row.used_at is not None:
        raise AccountError("This link is not valid or has already been used. Sign in, or ask for a new link.")
    if row.expires_at <= utcnow():
        raise AccountError("This link has expired. Ask for a new one below.")
    return row


def confirm_email(verification: EmailVerification, password: str) -> User:
    """Prove the address with the link and the password chosen at sign-up (so a link for an account
    someone else made with your address cannot take you in). Side effects: the link spent, the account
    verified, an audit event."""
    user = verification.user
    if not verify_password(user.password_hash, password):
        raise AccountError("That is not the password this account was created with.", "password")
    now = utcnow()
    verification.used_at = now
    if user.verified_at is None:
        user.verified_at = now
    record(user, "account.verified", user, summary=f"{user.email} confirmed their address")
    return user
