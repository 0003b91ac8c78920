"""Pagination of long lists with Flask-SQLAlchemy's paginate()."""
from __future__ import annotations

from flask import request

from portal.extensions import db

PER_PAGE = 50


def paginate(select_stmt, per_page: int = PER_PAGE):
    """Paginate a select() by the ?page= argument; bad page numbers fall back to page 1."""
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(select_stmt, page=max(page, 1), per_page=per_page, error_out=False)
