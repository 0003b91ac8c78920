"""People and the roles they hold."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import LabelledEnum, UTCDateTime, str_enum, utcnow
from portal.extensions import db


class Role(LabelledEnum):
    """Roles beyond staff; everyone who signs in is staff."""

    PANEL = "panel", "Panel member"
    MENTOR = "mentor"
    LEAD = "lead", "Programme lead"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="", index=True)
    campus: Mapped[str] = mapped_column(String(120), default="")
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reminders that are not essential can be switched off (UK GDPR / courtesy).
    wants_reminders: Mapped[bool] = mapped_column(default=True)
    # Set when the address was proven (sign-up link or invitation); None: the account can do nothing yet.
    # People made in code (demo, factories, the command line) are verified when created.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # An invited external person's account stops working at this instant; None: it does not expire.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Loaded when asked for: the signed-in person's come with them (portal.load_user), and pages that
    # list people with their roles ask for them in one more query (selectinload). Loading them with
    # every person read would add a query to every page that shows names.
    role_grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id",
    )
    line_manager: Mapped["User | None"] = relationship(remote_side="User.id")

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_lead(self) -> bool:
        return self.has_role(Role.LEAD)

    @property
    def is_panel(self) -> bool:
        return self.has_role(Role.PANEL)

    @property
    def is_mentor(self) -> bool:
        return self.has_role(Role.MENTOR)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def has_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()

    @property
    def is_active(self) -> bool:  # flask-login: the one check for sign-in and every request of a session
        return self.is_active_account and self.is_verified and not self.has_expired

    # The sign-in this request came with (portal.auth.sessions sets both: a str and a SignInSession);
    # not columns, so not annotated.
    sign_in_token = None
    sign_in_session = None

    def get_id(self) -> str:  # flask-login keeps this in the session and the remember cookie
        if not self.sign_in_token:
            raise RuntimeError("Sign people in with portal.auth.sessions.sign_in, which gives them a sign-in token.")
        return self.sign_in_token

    # UserMixin compares people by get_id, now a sign-in token: compare them by account instead.
    __hash__ = object.__hash__

    def __eq__(self, other):
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])


class SignInSession(db.Model):
    """One sign-in on one device: a random token, kept only as its SHA-256, revocable."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remembered: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class OidcIdentity(db.Model):
    """A person's identity at an OpenID Connect provider: the issuer and subject, never the email alone."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
