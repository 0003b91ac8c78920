"""Pagination of long lists with Flask-SQLAlchemy's paginate()."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request

from portal.extensions import db

PER_PAGE = 50
# No list is this long; the bound keeps the database's OFFSET inside 64 bits.
LARGEST_PAGE = 2**31 - 1
# More digits than LARGEST_PAGE has: such a number is past the end without reading it (int() refuses
# numbers of thousands of digits, and that would be a 500).
PAGE_DIGITS = len(str(LARGEST_PAGE))


def page_number() -> int:
    """The ?page= number: 1 when missing or not a whole number from 1, at most LARGEST_PAGE."""
    raw = request.args.get("page", "")
    if not raw.isascii() or not raw.isdigit():
        return 1
    digits = raw.lstrip("0")
    if len(digits) > PAGE_DIGITS:
        return LARGEST_PAGE
    return min(max(int(digits or "0"), 1), LARGEST_PAGE)


def paginate(select_stmt, per_page: int = PER_PAGE):
    """Paginate a select() by the ?page= argument; a bad page number is page 1, one past the end the last."""
    page = page_number()
    result = db.paginate(select_stmt, page=page, per_page=per_page, error_out=False)
    if page > 1 and page > result.pages:
        # Only an out-of-range page pays for a second read.
        result = db.paginate(select_stmt, page=max(result.pages, 1), per_page=per_page, error_out=False)
    return result


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
    last = max(1, -(-len(items) // per_page))
    page = min(page_number(), last)
    start = (page - 1) * per_page
    return ListPage(items=items[start:start + per_page], page=page, per_page=per_page, total=len(items))
