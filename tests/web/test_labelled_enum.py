"""portal.db_types.LabelledEnum: a label from the member's tuple or made from its value, and the value (never
the label) stored through str_enum, read back as the member."""
from __future__ import annotations

from sqlalchemy import select, text

from portal.auth.models import Role, RoleGrant
from portal.db_types import LabelledEnum
from portal.extensions import db
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.outbox.services import queue_email
from tests.factories import make_user


class Shade(LabelledEnum):
    LIGHT_BLUE = "light_blue"
    NAVY = "navy", "Dark blue (navy)"


def test_a_label_comes_from_the_tuple_or_from_the_value():
    assert Shade.NAVY.label == "Dark blue (navy)" and Shade.NAVY.value == "navy"
    assert Shade.LIGHT_BLUE.label == "Light blue" and Shade.LIGHT_BLUE.value == "light_blue"
    assert Shade("navy") is Shade.NAVY and Shade.NAVY == "navy"


def test_the_portals_own_labels_are_the_ones_people_read():
    assert [(role.value, role.label) for role in Role] == [
        ("panel", "Panel member"), ("mentor", "Mentor"), ("lead", "Programme lead")]
    assert [status.label for status in OutboxStatus] == ["Pending", "Sending", "Sent", "Failed"]


def test_a_member_is_stored_by_its_value_and_read_back_as_the_member(app):
    person = make_user(roles=[Role.PANEL])
    message = queue_email("someone@example.ac.uk", "Hello", "Body")
    db.session.commit()
    stored_role = db.session.scalar(text("SELECT role FROM role_grants WHERE user_id = :id"), {"id": person.id})
    stored_status = db.session.scalar(text("SELECT status FROM outbox_messages WHERE id = :id"), {"id": message.id})
    assert (stored_role, stored_status) == ("panel", "pending")
    db.session.expire_all()
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == person.id))
    assert grant.role is Role.PANEL and grant.role.label == "Panel member"
    assert db.session.get(OutboxMessage, message.id).status is OutboxStatus.PENDING
    assert db.session.scalar(select(RoleGrant.user_id).where(RoleGrant.role == Role.PANEL)) == person.id
