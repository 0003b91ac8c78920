"""Ids in addresses: every `<int:...>` in a route is bounded to what a row's id can be."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Primary keys are INTEGER columns: PostgreSQL's int4 (SQLite allows more, but the smaller bound holds for both).
# A larger number cannot name a row, and passing it to the database fails ("integer out of range").
LARGEST_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` limited to the ids a row can have: anything larger matches no route (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def install_bounded_ints(app: Flask) -> None:
    """Make every `<int:...>` route bounded; called before any blueprint adds its rules."""
    app.url_map.converters["int"] = BoundedIntegerConverter

