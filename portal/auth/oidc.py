"""Institutional sign-in with OpenID Connect: the provider's client, and whom its ID token signs in.

Authlib talks to the provider (discovery, state, nonce, PKCE, the code for tokens, the ID token's
signature against the provider's published keys); `claims_options` adds what it must also check: the
expected issuer (for Microsoft Entra ID, the tenant's own), our client as the audience, a subject.
`sign_in_with_oidc` then finds the person by issuer and subject, never by email alone: a first
sign-in joins an existing account once, when the provider vouches for the address
(`email_verified` true), or else makes a new one; and the roles named in OIDC_GROUP_ROLES follow
the person's groups at every sign-in.
"""
from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from sqlalchemy import select

from portal.audit.services import record
from portal.auth import services
from portal.auth.models import OidcIdentity, Role, User
from portal.db_types import utcnow
from portal.errors import ServiceError
from portal.extensions import db

EXTENSION = "portal.auth.oidc"
CLIENT_NAME = "oidc"
# No password matches this hash: an account the provider made has no password until one is reset.
NO_PASSWORD = "!oidc: no password"


class OidcError(ServiceError):
    """The provider's answer cannot sign this person in."""


def parse_group_roles(raw: str) -> dict[str, frozenset[Role]]:
    """Read "group=role,group2=role2" into each group's roles; ValueError for a malformed pair or role."""
    mapping: dict[str, set[Role]] = {}
    for pair in (raw or "").split(","):
        if not pair.strip():
            continue
        group, sep, role_name = pair.rpartition("=")
        if not sep or not group.strip():
            raise ValueError(f"OIDC_GROUP_ROLES: {pair.strip()!r} is not group=role.")
        try:
            role = Role(role_name.strip().lower())
        except ValueError:
            names = ", ".join(role.value for role in Role)
            raise ValueError(f"OIDC_GROUP_ROLES: {role_name.strip()!r} is not a role ({names}).") from None
        mapping.setdefault(group.strip(), set()).add(role)
    return {group: frozenset(roles) for group, roles in mapping.items()}


def configure(app: Flask) -> None:
    """Register the provider's Authlib client on `app` when OIDC_DISCOVERY_URL is set.

    Checks the settings at start-up (a client id; a readable group mapping) and raises RuntimeError
    when they are wrong. Makes no request: discovery is read at the first sign-in.
    """
    config = app.config
    if not config.get("OIDC_DISCOVERY_URL"):
        return
    if not config.get("OIDC_CLIENT_ID"):
        raise RuntimeError("PORTAL_OIDC_DISCOVERY_URL is set but PORTAL_OIDC_CLIENT_ID is not.")
    if _shared_tenant(config["OIDC_DISCOVERY_URL"]) and not config.get("OIDC_ISSUER"):
        raise RuntimeError("PORTAL_OIDC_DISCOVERY_URL is Microsoft's shared endpoint: set PORTAL_OIDC_ISSUER to your "
                           "tenant's issuer, https://login.microsoftonline.com/<tenant id>/v2.0.")
    try:
        parse_group_roles(config.get("OIDC_GROUP_ROLES", ""))
    except ValueError as exc:
        raise RuntimeError(str(exc)) from exc
    oauth = OAuth()
    oauth.init_app(app)
    app.extensions[EXTENSION] = oauth.register(
        CLIENT_NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config.get("OIDC_CLIENT_SECRET") or None,
        server_metadata_url=config["OIDC_DISCOVERY_URL"],
        client_kwargs={"scope": config.get("OIDC_SCOPES") or "openid email profile",
                       "code_challenge_method": "S256",
                       "default_timeout": int(config.get("OIDC_TIMEOUT") or 10)},
    )


def _shared_tenant(discovery_url: str) -> bool:
    """True for Entra ID's multi-tenant endpoints, whose discovery document names no one issuer."""
    return any(f"login.microsoftonline.com/{tenant}/" in discovery_url.lower()
               for tenant in ("common", "organizations", "consumers"))


def client():
    """The provider's Authlib client, or None when institutional sign-in is off."""
    return current_app.extensions.get(EXTENSION)


def provider_name() -> str:
    """The name on the button: OIDC_NAME, else the institution's name."""
    config = current_app.config
    return config.get("OIDC_NAME") or config["INSTITUTION_NAME"]


def expected_issuer(metadata: dict) -> str:
    """The issuer an ID token must carry: OIDC_ISSUER, else the one the discovery document names."""
    return current_app.config.get("OIDC_ISSUER") or metadata.get("issuer") or ""


def claims_options(metadata: dict) -> dict:
    """What Authlib checks in the ID token besides its signature, expiry and nonce: issuer, audience, subject."""
    return {
        "iss": {"essential": True, "value": expected_issuer(metadata)},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
        "sub": {"essential": True},
    }


def identity_of(user: User) -> OidcIdentity | None:
    """The person's link to the provider, if they have one."""
    return db.session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id)
                             .order_by(OidcIdentity.id).limit(1))


def identities_of(user: User) -> list[OidcIdentity]:
    """Every link of the person to a provider, oldest first (for the subject access export)."""
    return list(db.session.scalars(select(OidcIdentity).where(OidcIdentity.user_id == user.id)
                                   .order_by(OidcIdentity.id)))


def password_sign_in_allowed(user: User) -> bool:
    """False for an institution account (at one of EMAIL_DOMAINS) linked to the provider, when
    OIDC_PASSWORDS_FOR_INSTITUTION is off; external people keep their passwords."""
    if client() is None or current_app.config.get("OIDC_PASSWORDS_FOR_INSTITUTION", True):
        return True
    if not services.email_domain_allowed(user.email):
        return True
    return identity_of(user) is None


def sign_in_with_oidc(claims: dict, issuer: str) -> User:
    """The person the provider's checked ID token claims name, found by issuer and subject.

    A first sign-in joins the account with the same address when the provider says it verified the
    address (once: an account already joined is refused), or else makes a new account. Side effects:
    the new account or the link (audited), the roles that follow the groups (each grant and revocation
    audited), the sign-in (audited). Raises OidcError when it cannot sign anyone in. The caller signs
    the person in and commits.
    """
    subject, token_issuer = claims.get("sub"), claims.get("iss")
    if not issuer or token_issuer != issuer:
        raise OidcError(f"That sign-in did not come from {provider_name()}.")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise OidcError(f"{provider_name()} did not say who you are. Try again.")
    identity = db.session.scalar(select(OidcIdentity).where(OidcIdentity.issuer == issuer,
                                                            OidcIdentity.subject == subject))
    if identity is None:
        user = _join_or_create(claims, issuer, subject)
    else:
        user = identity.user
        identity.last_sign_in_at = utcnow()
    if not user.is_active:
        raise OidcError("This account is switched off. Ask the programme lead.")
    added, removed = _follow_groups(user, claims)
    user.last_login_at = utcnow()
    record(user, "auth.signed_in", user, summary=f"{user.email} signed in with {provider_name()}",
           method="oidc", issuer=issuer, roles_added=added, roles_removed=removed)
    return user


def _address(claims: dict) -> str:
    """The address the claims give (email, else an address-like preferred_username), or ""."""
    for key in ("email", "preferred_username"):
        value = claims.get(key)
        if isinstance(value, str) and "@" in value and len(value.strip()) <= 254:
            address = services.normalise_email(value)
            if address.isprintable() and not any(ch.isspace() for ch in address):
                return address
    return ""


def _name(claims: dict, email: str) -> str:
    """The person's name on one line, from name or given and family names, else the address's local part."""
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get(key) for key in ("given_name", "family_name")]
        name = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    name = " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())  # one clean line
    return (name or email.partition("@")[0])[:200]


def _join_or_create(claims: dict, issuer: str, subject: str) -> User:
    """A first sign-in: join the account with this verified address once, or make one (audited either way)."""
    email = _address(claims)
    if not email:
        raise OidcError(f"{provider_name()} did not send your email address, so no account can be made. "
                        "Ask the programme lead.")
    provider = provider_name()
    user = services.find_user_by_email(email)
    if user is not None:
        stated = claims.get("email")
        verified = (claims.get("email_verified") is True and isinstance(stated, str)
                    and services.normalise_email(stated) == email)
        if not verified:
            raise OidcError(f"An account with the address {email} already exists, and {provider} did not confirm "
                            "that the address is yours. Sign in with your password, or ask the programme lead.")
        if identity_of(user) is not None:
            raise OidcError(f"The account for {email} is already joined to another {provider} sign-in. "
                            "Ask the programme lead.")
        if user.verified_at is None:
            user.verified_at = utcnow()  # the provider has just vouched for the address
        db.session.add(OidcIdentity(user_id=user.id, issuer=issuer, subject=subject))
        record(user, "account.oidc_linked", user, summary=f"{email} joined to {provider} sign-in", issuer=issuer)
        return user
    user = User(email=email, name=_name(claims, email), password_hash=NO_PASSWORD)
    db.session.add(user)
    db.session.flush()
    db.session.add(OidcIdentity(user_id=user.id, issuer=issuer, subject=subject))
    record(user, "account.created", user, summary=f"{email} signed in with {provider} for the first time",
           issuer=issuer)
    return user


def _groups(claims: dict) -> set[str]:
    """The groups claim (OIDC_GROUPS_CLAIM) as a set of strings."""
    value = claims.get(current_app.config.get("OIDC_GROUPS_CLAIM") or "groups")
    if isinstance(value, str):
        return {value}
    if isinstance(value, (list, tuple)):
        return {item for item in value if isinstance(item, str)}
    return set()


def _follow_groups(user: User, claims: dict) -> tuple[list[str], list[str]]:
    """Grant the mapped roles the person's groups give and revoke the mapped roles they no longer give.

    Roles the mapping never names are left as a lead set them. The only programme lead keeps the role
    (audited as role.kept), so a group change at the provider cannot lock the portal out.
    """
    mapping = parse_group_roles(current_app.config.get("OIDC_GROUP_ROLES", ""))
    if not mapping:
        return [], []
    managed = frozenset().union(*mapping.values())
    wanted = frozenset().union(*(mapping.get(group, frozenset()) for group in _groups(claims)))
    added, removed = [], []
    for role in sorted(wanted - user.roles):
        services.grant_role(None, user, role)
        added.append(role.value)
    for role in sorted((managed - wanted) & user.roles):
        if role == Role.LEAD and services.lead_count() <= 1:
            record(None, "role.kept", user, summary=f"{role.label} kept by {user.email}, the only programme lead, "
                   f"although {provider_name()} no longer gives it", role=role.value)
            continue
        services.revoke_role(None, user, role)
        removed.append(role.value)
    return added, removed
