"""Nudges: the lead's email to a participant at risk, or to their mentor, sent from the at-risk list.

The dashboard decides who is at risk and words the message; mentoring sends it, keeps it and refuses a
second nudge to the same person on the same day.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import queries, rules
from portal.mentoring.errors import MentoringError
from portal.mentoring.models import Nudge, NudgeRecipient, Pairing, PairingState
from portal.outbox.services import queue_email
from portal.proposals.models import Proposal
from portal.timeutil import format_local, to_local
from portal.web.links import absolute_url

MESSAGE_LIMIT = 2000
# What attempt() says when the database refuses a second nudge that arrived at the same moment.
ALREADY_NUDGED = "That nudge was already sent today; one nudge a day goes to each person."


def confirmed_pairing(proposal: Proposal) -> Pairing | None:
    """The participant's pairing that both of the pair know of (a locked one is still the lead's note)."""
    pairing = queries.mentee_pairing(proposal.id)
    return pairing if pairing is not None and pairing.state == PairingState.CONFIRMED else None


def nudge_recipient(proposal: Proposal, recipient: NudgeRecipient) -> User | None:
    """Who a nudge goes to: the participant, or the mentor of their confirmed pairing (None without one)."""
    if recipient == NudgeRecipient.MENTEE:
        return proposal.applicant
    pairing = confirmed_pairing(proposal)
    return pairing.mentor.user if pairing is not None else None


def nudge_today(proposal_id: int, recipient: NudgeRecipient, now: datetime | None = None) -> Nudge | None:
    """The nudge this person already had about this participant today (the institution's day), if any."""
    today = to_local(now or utcnow()).date()
    return db.session.scalar(select(Nudge).where(Nudge.proposal_id == proposal_id, Nudge.recipient == recipient,
                                                 Nudge.sent_on == today))


def send_nudge(lead: User, proposal: Proposal, recipient: NudgeRecipient, message: str,
               now: datetime | None = None) -> Nudge:
    """Email the participant (or their mentor) the lead's message, once a day at most.

    Refused: anyone but the lead; an empty or over-long message; a mentor nudge without a confirmed
    pairing; a second nudge to the same person on the same day (also refused by the database's unique
    constraint when two arrive at once). Side effects: a Nudge row, one outbox message, audit
    'mentoring.nudge' about the proposal.
    """
    if not rules.can_nudge(lead):
        raise MentoringError("Only the programme lead can nudge a participant or their mentor.")
    text = (message or "").strip()
    if not text:
        raise MentoringError("Write the message to send.", field="message")
    if len(text) > MESSAGE_LIMIT:
        raise MentoringError(f"Keep the message under {MESSAGE_LIMIT} characters (it has {len(text)}).",
                             field="message")
    person = nudge_recipient(proposal, recipient)
    if person is None:
        raise MentoringError(f"{proposal.applicant.name} has no confirmed mentor to nudge.", field="message")
    now = now or utcnow()
    earlier = nudge_today(proposal.id, recipient, now)
    if earlier is not None:
        raise MentoringError(f"{person.name} was already nudged today at {format_local(earlier.sent_at, '%H:%M')}; "
                             "one nudge a day goes to each person.", field="message")
    nudge = Nudge(proposal_id=proposal.id, recipient=recipient, recipient_user_id=person.id, sent_by_id=lead.id,
                  sent_on=to_local(now).date(), sent_at=now, message=text)
    db.session.add(nudge)
    db.session.flush()  # the unique constraint answers here, before any mail is queued
    scheme = current_app.config["SCHEME_NAME"]
    pairing = confirmed_pairing(proposal)
    if recipient == NudgeRecipient.MENTEE:
        subject = f"{scheme}: a note from your programme lead"
        link = (absolute_url("mentoring.pairing", pairing_id=pairing.id) if pairing is not None
                else absolute_url("mentoring.my"))
    else:
        subject = f"{scheme}: a note about your mentee {proposal.applicant.name}"
        link = absolute_url("mentoring.pairing", pairing_id=pairing.id)
    queue_email(person.email, subject,
                f"Hello {person.name},\n\n{text}\n\n{lead.name}, programme lead\n\nProgress page: {link}\n",
                kind="mentoring-nudge")
    record(lead, "mentoring.nudge", proposal,
           summary=f"{lead.name} nudged {person.name} ({recipient.label.lower()}) about {proposal.applicant.name}",
           recipient=recipient.value, recipient_user_id=person.id)
    return nudge
