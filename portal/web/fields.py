"""The form field types every feature's forms share, so that one kind of input is checked one way everywhere.

Each says what is wrong in words a person understands, next to the field, and shows back what was typed:
single-line text, whole numbers within bounds, money in whole pence, real dates and times, and choices checked
against the options offered. Bounds matter beyond the form: PostgreSQL's integer holds at most 2147483647 and
SQLite's at most 2**63 - 1, so an unbounded number is a 500 waiting to happen.
"""
from __future__ import annotations

import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, SelectField, StringField, TimeField, URLField
from wtforms.validators import Length, NumberRange, StopValidation
from wtforms.widgets import TextInput

CHOOSE_OFFERED = "Choose one of the options offered."
ONE_LINE = "Keep this to one line, without line breaks or other control characters."
FIRST_YEAR, LAST_YEAR = 1990, 2100

# Whole numbers and money in a text box (inputmode numeric): a number box cannot show back what was typed wrongly.
_NUMERIC = {"inputmode": "numeric"}
_DECIMAL = {"inputmode": "decimal"}
_WHOLE = re.compile(r"[+-]?[0-9]{1,30}")
# Pounds, optionally with a pound sign, thousands commas and up to two places of pence.
_POUNDS = re.compile(r"£?\s*((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,30})(?:\.[0-9]{1,2})?)")


def _is_blank(valuelist) -> bool:
    return not valuelist or not " ".join(str(v) for v in valuelist).strip()


class _ReadErrorFirst:
    """When something was typed but could not be read, say so and stop: DataRequired would otherwise replace
    "that is not a real date" by "This field is required", which is wrong and confusing. Blank input is left
    to the validators (Optional lets it pass, DataRequired asks for it)."""

    def pre_validate(self, form):
        if self.process_errors and not _is_blank(self.raw_data):
            raise StopValidation()
        super().pre_validate(form)


def has_control_characters(text: str) -> bool:
    """True for line breaks and other control characters (a tab is allowed), including Unicode's own
    line and paragraph separators, which some calendars and mail clients also break lines at."""
    return any(c != "\t" and (unicodedata.category(c) == "Cc" or c in "\u2028\u2029") for c in text)


class _SingleLine:
    """Text kept to one line: titles, names, places and searches end up in calendar lines, email subjects and
    headers, where a line break would end the line (or start a new, injected one)."""

    def pre_validate(self, form):
        if isinstance(self.data, str) and has_control_characters(self.data):
            raise StopValidation(ONE_LINE)
        super().pre_validate(form)


class LineField(_SingleLine, StringField):
    """A one-line text field."""


class URLLineField(_SingleLine, URLField):
    """A one-line web address."""


class WholeNumberField(_ReadErrorFirst, IntegerField):
    """A whole number from minimum to maximum (both required: no number is unbounded)."""

    def __init__(self, label=None, validators=None, *, minimum: int, maximum: int, message: str | None = None,
                 **kwargs):
        self.range_message = message or f"Enter a whole number from {minimum} to {maximum}."
        render_kw = {**_NUMERIC, **kwargs.pop("render_kw", {})}
        super().__init__(label, [*(validators or []), NumberRange(minimum, maximum, message=self.range_message)],
                         widget=kwargs.pop("widget", TextInput()), render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if _is_blank(valuelist):
            self.data = None
            return
        text = valuelist[0].strip()
        if not _WHOLE.fullmatch(text):
            self.data = None
            raise ValueError(self.range_message)
        self.data = int(text)


def pence_text(pence: int | None) -> str:
    """Whole pence as the pounds a person types: 16550 as "165.50"."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def pounds_to_pence(text: str) -> int | None:
    """"165", "165.5", "£1,650.50" to whole pence; None for anything else (never a float, NaN or exponent)."""
    match = _POUNDS.fullmatch((text or "").strip())
    if match is None:
        return None
    whole, _, fraction = match.group(1).replace(",", "").partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])


class PenceField(_ReadErrorFirst, StringField):
    """Money typed in pounds and pence, kept as whole pence (`data` is an int), from 0 to maximum_pence."""

    def __init__(self, label=None, validators=None, *, maximum_pence: int, **kwargs):
        self.maximum_pence = maximum_pence
        self.range_message = (f"Enter an amount in pounds from 0 to {pence_text(maximum_pence).removesuffix('.00')}, "
                              "for example 165 or 165.50.")
        render_kw = {**_DECIMAL, **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if _is_blank(valuelist):
            self.data = None
            return
        self.data = pounds_to_pence(valuelist[0])
        if self.data is None or self.data > self.maximum_pence:
            self.data = None
            raise ValueError(self.range_message)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return pence_text(self.data)


def _check_year(field, value) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        field.data = None
        raise ValueError(f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")


class _RealValue(_ReadErrorFirst):
    """Blank is no value; text that names no real moment says so in `not_real`; dates keep to the years."""

    not_real = ""
    checks_year = True

    def process_formdata(self, valuelist):
        if _is_blank(valuelist):
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.not_real) from None
        if self.checks_year:
            _check_year(self, self.data)


class RealDateField(_RealValue, DateField):
    """A date that exists (not 30 February), in the years the portal can do arithmetic on."""

    not_real = "That is not a real date. Enter one such as 2025-03-14."


class RealTimeField(_RealValue, TimeField):
    """A time of day that exists (not 25:99)."""

    not_real = "That is not a real time. Enter one such as 14:00."
    checks_year = False


class RealDateTimeField(_RealValue, DateTimeLocalField):
    """A date and time of day that exist, in the years the portal can do arithmetic on."""

    not_real = "That is not a real date and time. Enter one such as 2025-03-14 14:00."


class ChoiceField(_ReadErrorFirst, SelectField):
    """A select whose answer must be one of its options (never switched off: an id that is not offered
    is a foreign-key error or a row the person may not pick)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("validate_choice", None)
        kwargs.setdefault("invalid_choice_message", CHOOSE_OFFERED)
        kwargs.setdefault("invalid_value_message", CHOOSE_OFFERED)
        super().__init__(label, validators, validate_choice=True, **kwargs)
        # The field() macro renders a select by its type (HTML allows `required` on one only in some cases).
        self.type = "SelectField"


def optional_int(value):
    """The coerce of a select whose first option, "", means none."""
    if value in (None, "", "None"):
        return None
    return int(value)


class FilterForm(FlaskForm):
    """A list's GET filters: no CSRF (reading changes nothing), every field validated, and a field that fails
    simply does not filter (its message shows next to it, and the list shows unfiltered by it).

    Validation runs at the first value() asked for, so a view can set choices first."""

    class Meta:
        csrf = False

    def __init__(self, args, **kwargs):
        super().__init__(formdata=args, **kwargs)
        self._checked = False

    def value(self, name: str, default=None):
        if not self._checked:
            self.validate()
            self._checked = True
        field = self[name]
        return default if field.errors or field.data in (None, "") else field.data


def search_field(label: str, maximum: int, **kwargs) -> LineField:
    """A one-line search box of at most `maximum` characters."""
    return LineField(label, [Length(max=maximum, message=f"Search with at most {maximum} characters.")], **kwargs)

