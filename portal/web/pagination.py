"""Pagination of long lists with Flask-SQLAlchemy's paginate()."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request

from portal.extensions import db

PER_PAGE = 50


def paginate(select_stmt, per_page: int = PER_PAGE):
    """Paginate a select() by the ?page= argument; bad page numbers fall back to page 1."""
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(select_stmt, page=max(page, 1), per_page=per_page, error_out=False)


@dataclass
class ListPage:
    """One page of a list already in memory, with the attributes the pager macro reads."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def first_index(self) -> int:
        """The position (from 1) of the page's first item in the whole list."""
        return (self.page - 1) * self.per_page + 1


def paginate_list(items: list, per_page: int = PER_PAGE) -> ListPage:
    """Page a list by the ?page= argument; a page past the end shows the last one."""
    page = request.args.get("page", 1, type=int) or 1
    last = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), last)
    start = (page - 1) * per_page
    return ListPage(items=items[start:start + per_page], page=page, per_page=per_page, total=len(items))
