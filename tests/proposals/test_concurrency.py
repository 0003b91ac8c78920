"""Two "start" clicks at the same moment, in real threads with their own sessions: one draft, never two."""
from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.auth.models import User
from portal.extensions import db
from portal.proposals import services
from portal.proposals.models import Proposal
from portal.rounds.models import Round
from tests.factories import make_round, make_user


def test_simultaneous_starts_make_one_draft(app):
    person_id, round_id = make_user().id, make_round().id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def start():
        with app.app_context():
            person, round_ = db.session.get(User, person_id), db.session.get(Round, round_id)
            barrier.wait()
            try:
                services.start_proposal(person, round_)
                db.session.commit()
                result = "created"
            except (IntegrityError, OperationalError):
                db.session.rollback()
                result = "refused"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.expire_all()
    drafts = db.session.scalar(select(func.count()).select_from(Proposal).where(Proposal.user_id == person_id))
    assert drafts == 1
    assert "created" in outcomes and len(outcomes) == 2
