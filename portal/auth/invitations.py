"""Invitations of external people (a visiting mentor, an external examiner) to an account that expires.

A lead invites an address (any domain) with a name, at most one role and the date the account stops
working. The invitee follows the one-time link (kept only as its SHA-256; it expires after
INVITATION_MAX_AGE seconds), chooses their name and password, and has an account with that role
only, verified by the link, that expires at the end of the given day in the institution's zone.
"""
from __future__ import annotations

from datetime import date, time, timedelta

from flask import current_app
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.link_models import Invitation
from portal.auth.models import Role, RoleGrant, User
from portal.auth.services import AccountError, find_user_by_email, hash_password, normalise_email, password_problem
from portal.auth.sign_up import new_token, token_hash
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.timeutil import combine_local, format_date, to_local
from portal.web.links import absolute_url

INVITATION_MAIL = "invitation"

# The roles a lead may give an external person (a programme lead is never external).
INVITABLE_ROLES = (Role.PANEL, Role.MENTOR)


def invite(lead: User, email: str, name: str, role: Role | None, account_expires_on: date) -> Invitation:
    """Invite an external person. Refuses an address that already has an account or a live
    invitation, a lead role, and an expiry date that is not in the future.

    Side effects: an Invitation row (the token's hash only), the email with the link, an audit event.
    """
    email = normalise_email(email)
    if role is not None and role not in INVITABLE_ROLES:
        raise AccountError("An invited person can be a panel member or a mentor, not a programme lead.", "role")
    now = utcnow()
    if account_expires_on <= to_local(now).date():
        raise AccountError("Choose a date after today for the account to expire.", "account_expires_on")
    if find_user_by_email(email) is not None:
        raise AccountError("This address already has an account; give them the role on People and roles.",
                           "email")
    live = db.session.scalar(select(Invitation.id).where(Invitation.email == email, Invitation.used_at.is_(None),
                                                         Invitation.expires_at > now))
    if live is not None:
        raise AccountError("This address already has an invitation waiting to be used.", "email")
    token, digest = new_token()
    # The account works to the end of its last day; the link never outlives the account.
    account_expires_at = combine_local(account_expires_on + timedelta(days=1), time(0, 0))
    link_expires_at = min(now + timedelta(seconds=int(current_app.config["INVITATION_MAX_AGE"])), account_expires_at)
    invitation = Invitation(email=email, name=name.strip(), role=role, token_hash=digest, invited_by_id=lead.id,
                            created_at=now, account_expires_at=account_expires_at, expires_at=link_expires_at)
    db.session.add(invitation)
    db.session.flush()
    link = absolute_url("auth.accept_invitation", token=token)
    what = f"as a {role.label.lower()}" if role is not None else "as a guest"
    body = (
        f"Hello {invitation.name},\n\n"
        f"{lead.name} has invited you to the {current_app.config['SCHEME_NAME']} cohort portal of "
        f"{current_app.config['INSTITUTION_NAME']} {what}.\n\n"
        f"Open this link to choose your password (it works once, until {format_date(invitation.expires_at)}):\n"
        f"{link}\n\nYour account will work until {format_date(account_expires_on)}.\n"
    )
    queue_email(email, "You are invited to the cohort portal", body, kind=INVITATION_MAIL, secret_links=[link])
    record(lead, "invitation.sent", invitation, summary=f"{email} invited {what}",
           role=role.value if role else "", account_expires_on=account_expires_on.isoformat())
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The live invitation a token belongs to; AccountError when unknown, used or expired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if invitation is None or invitation.used_at is not None:
        raise AccountError("This invitation link is not valid or has already been used.")
    if invitation.expires_at <= utcnow() or invitation.account_expires_at <= utcnow():
        raise AccountError("This invitation has expired. Ask the person who invited you for a new one.")
    return invitation


def accept_invitation(invitation: Invitation, name: str, password: str) -> User:
    """Create the invited person's account: verified by the link, with only the role given, expiring
    at the invitation's date. Side effects: the invitation spent, the User and RoleGrant rows, an
    audit event."""
    if find_user_by_email(invitation.email) is not None:
        raise AccountError("This address already has an account. Sign in instead.")
    problem = password_problem(password, invitation.email, name)
    if problem:
        raise AccountError(problem, "password")
    now = utcnow()
    user = User(email=invitation.email, name=name.strip(), password_hash=hash_password(password),
                verified_at=now, expires_at=invitation.account_expires_at)
    if invitation.role is not None:
        user.role_grants = [RoleGrant(role=invitation.role, granted_by_id=invitation.invited_by_id)]
    db.session.add(user)
    db.session.flush()
    invitation.used_at, invitation.user_id = now, user.id
    record(user, "invitation.accepted", invitation, summary=f"{user.email} accepted an invitation",
           user_id=user.id)
    return user

