"""The mentoring blueprint object (pair_views and lead_views register on it) and the answer its buttons share."""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, redirect

from portal.web.actions import change_then_redirect

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")


def button_answer(valid: bool, change: Callable[[], Any], to: str, success: str | Callable[[Any], str]):
    """change_then_redirect for mentoring's buttons, whose stale or replayed form has always gone back to
    `to` without a message (a 303, nothing changed)."""
    if not valid:
        return redirect(to, 303)
    return change_then_redirect(change, to, success)
