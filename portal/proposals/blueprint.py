"""The proposals blueprint, on which the view modules (views, lead_views, version_views) register their routes."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
