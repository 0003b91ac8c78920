"""Building a round's panel for tests: members, a rubric, proposals and assignments."""
from __future__ import annotations

from dataclasses import dataclass

from portal.auth.models import Role
from portal.extensions import db
from portal.panel import assigning, reviewing, setting_up
from tests.factories import make_panel_proposal, make_panel_round, make_user

# (name, weight, counted in the total)
RUBRIC = [("Clarity of the role", 3, True), ("Fit of the pathway", 2, True), ("Likely impact", 1, True),
          ("Would need extra support", 1, False)]


@dataclass
class Panel:
    round: object
    lead: object
    members: list
    criteria: list
    proposals: list


def build_panel(members: int = 3, proposals: int = 2, rubric=RUBRIC, per_proposal: int | None = None,
                assign: bool = True, lead=None, **round_fields) -> Panel:
    """A round in review with a panel, a rubric and submitted proposals, everything assigned to everyone."""
    round_ = make_panel_round(**round_fields)
    lead = lead or make_user(roles=[Role.LEAD], name="Lena Lead")
    people = [make_user(roles=[Role.PANEL], name=f"Member {chr(65 + i)}", department=f"Department {i}")
              for i in range(members)]
    props = [make_panel_proposal(round_, user=make_user(name=f"Applicant {i + 1}", department="Applicants' School"))
             for i in range(proposals)]
    settings = setting_up.ensure_settings(round_)
    settings.reviewers_per_proposal = per_proposal
    setting_up.set_members(lead, round_, {p.id for p in people})
    criteria = [setting_up.save_criterion(lead, round_, None, name=name, description=f"About {name.lower()}",
                                        weight=weight, counted_in_total=counted,
                                        labels=["Weak", "Limited", "Adequate", "Good", "Excellent"])
                for name, weight, counted in rubric]
    if assign and people:
        assigning.assign(lead, round_)
    db.session.commit()
    return Panel(round_, lead, people, criteria, props)


def score(member, proposal, criteria, values, comment: str = ""):
    """Save a member's scores: values in rubric order (None leaves a criterion blank)."""
    review = reviewing.record_review(member, proposal, {c.id: v for c, v in zip(criteria, values)}, comment)
    db.session.commit()
    return review


def client_for(app, login, user):
    """A test client signed in as this person.

    The test app context is shared by every request, and Flask-Login caches the signed-in
    person (and Flask-WTF the CSRF token) in flask.g; clearing it before each request lets several people's clients be used
    in one test.
    """
    from flask import g

    class OwnClient(app.test_client_class):
        def open(self, *args, **kwargs):
            g.pop("_login_user", None)
            g.pop("csrf_token", None)
            return super().open(*args, **kwargs)

    client = OwnClient(app, app.response_class, use_cookies=True)
    login(user, target=client)
    return client
