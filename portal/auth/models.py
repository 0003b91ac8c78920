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
    def is_active(self) -> bool:  # flask-login
        return self.is_active_account

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
