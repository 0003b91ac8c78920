"""My data reads as words (labels, names, local times), the JSON stays machine-readable, and the
things a person did are shown a page at a time."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from sqlalchemy import insert

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.extensions import db
from portal.proposals.models import ProposalState
from tests.factories import make_proposal, make_round


def test_my_data_shows_labels_names_and_local_times(app, client, login_as):
    me = login_as(Role.PANEL)
    round_ = make_round(name="CMALT cohort 2026/27")
    cmalt = next(p for p in round_.pathways if p.name == "CMALT")
    proposal = make_proposal(round_, me, state=ProposalState.SUBMITTED, pathway_id=cmalt.id)
    proposal.submitted_at = datetime(2026, 7, 14, 13, 5, tzinfo=timezone.utc)  # 14:05 in London's summer
    db.session.commit()

    page = client.get("/my-data/").get_data(as_text=True)
    assert "ProposalState" not in page and "Pathway id" not in page and "PairingState" not in page
    assert "<dt>State</dt><dd>Submitted</dd>" in page
    assert "<dt>Pathway</dt><dd>CMALT</dd>" in page
    assert "<dt>Round</dt><dd>CMALT cohort 2026/27</dd>" in page
    assert "<dt>Submitted</dt><dd>14 July 2026, 14:05 BST</dd>" in page
    assert "Panel member" in page  # the role by its label
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page)  # no ISO timestamps

    data = json.loads(client.get("/my-data/export.json").get_data(as_text=True))
    (item,) = data["proposals"]
    assert item["state"] == "submitted" and item["answers"]["pathway_id"] == cmalt.id
    assert item["submitted_at"] == "2026-07-14T13:05:00+00:00"
    assert data["account"]["roles"] == ["panel"]


def test_a_lead_with_nine_thousand_events_gets_them_a_page_at_a_time(app, client, login_as):
    lead = login_as(Role.LEAD)
    start = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
    db.session.execute(insert(AuditEvent), [
        {"actor_id": lead.id, "action": "test.event", "object_type": "", "summary": f"Event number {n}",
         "detail": {}, "at": start.replace(minute=n % 60)} for n in range(9000)])
    db.session.commit()

    first = client.get("/my-data/").get_data(as_text=True)
    audit = first[first.index('id="my-data-audit"'):]
    assert audit[:audit.index("</table>")].count("<tr><td>") == 50
    assert "Event number 8999" in first and "Event number 8949" not in first  # newest first
    assert re.search(r"Page 1 of 18[01] \(90\d\d in all\)", first)
    assert 'rel="next"' in first and 'href="/my-data/?page=2#my-data-audit"' in first
    assert "1 January 2026, 09:" in first

    second = client.get("/my-data/?page=2").get_data(as_text=True)
    assert "Event number 8949" in second and "Event number 8999" not in second and 'rel="prev"' in second
    last = client.get("/my-data/?page=999").get_data(as_text=True)
    assert "Event number 0<" in last and 'rel="next"' not in last

    data = json.loads(client.get("/my-data/export.json").get_data(as_text=True))
    assert sum(1 for e in data["audit_events"] if e["action"] == "test.event") == 9000
