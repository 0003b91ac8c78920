"""The question a visitor answers on a call page to see which pathway fits them (a GET: nothing is kept)."""
from __future__ import annotations

from wtforms.validators import Optional

from portal.rounds.guidance import LEADERSHIP_QUESTION
from portal.web.fields import ChoiceField, FilterForm, WholeNumberField

# The leadership answer as the guidance takes it: True, False, or None when not answered yet.
LEADERSHIP_ANSWERS = {"yes": True, "no": False, "": None}


class WhichPathwayForm(FilterForm):
    years = WholeNumberField("Years of experience with learning technology", [Optional()], minimum=0, maximum=60,
                             message="Enter a whole number of years from 0 to 60.")
    leadership = ChoiceField(LEADERSHIP_QUESTION, [Optional()],
                             choices=[("", "Not sure yet"), ("yes", "Yes"), ("no", "No")], default="",
                             description="For example leading a team or service, shaping strategy, or research.")

    def answer(self) -> tuple[int | None, bool | None]:
        """The years and the leadership answer, each None when missing or not valid."""
        return self.value("years"), LEADERSHIP_ANSWERS.get(self.value("leadership", ""))
