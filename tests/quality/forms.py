"""Finding every form the portal shows: a quick crawl with the test client and an HTML form parser.

A form's fields carry the values the page gives them (hidden fields, the selected option, ticked boxes,
the first of a group of radio buttons when none is chosen), so posting them is what a person's browser
would send; `filled()` adds a plausible value to each empty field.
"""
from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from tests.quality.crawl import SKIP_PATHS, pattern

TEXT_TYPES = {"text", "textarea", "email", "search", "url", "tel", "password", "number", "date", "time",
              "datetime-local", "month", "week"}


# A value for an empty field of each type, as a person might type it.
PLAUSIBLE = {"email": "sweep@example.ac.uk", "url": "https://example.ac.uk/", "number": "1", "date": "2030-01-15",
             "datetime-local": "2030-01-15T10:00", "time": "10:00", "month": "2030-01", "week": "2030-W03",
             "password": "Sweep-password-2030", "tel": "01234 567890"}


@dataclass
class Form:
    page: str
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, default value)
    method: str = "post"

    def key(self) -> tuple:
        parts = urlsplit(self.action)
        return self.method, pattern(parts.path, ""), tuple(sorted({name for name, _, _ in self.fields}))

    def filled(self) -> dict[str, str]:
        """The form's own values, with a plausible value in each empty field a person types into."""
        data = {}
        for name, kind, value in self.fields:
            if not value and kind in TEXT_TYPES:
                value = PLAUSIBLE.get(kind, "Sweep text")
            data.setdefault(name, value)
        return data

    def fuzzable(self) -> list[tuple[str, str]]:
        return [(name, kind) for name, kind, _ in self.fields if kind in TEXT_TYPES and name != "csrf_token"]


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: list | None = None
        self._select: list | None = None
        self._radios: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href") and "download" not in a:
            self.links.append(urljoin(self.page, a["href"]).split("#")[0])
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = Form(page=self.page, action=urljoin(self.page, a.get("action") or self.page), method=method)
            self.forms.append(self._form)
            self._radios = {}
            return
        if tag == "option" and self._select is not None:
            # An option without a value attribute sends its text; the first one stands until the text comes.
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
            return
        if self._form is None or not a.get("name") or "disabled" in a:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "radio":
                self._radios.setdefault(a["name"], a.get("value") or "")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            self._form.fields.append((a["name"], kind, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = [a["name"], None, None]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            if self._form is not None:
                named = {name for name, _, _ in self._form.fields}
                self._form.fields += [(name, "radio", value) for name, value in self._radios.items() if name not in named]
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form.fields.append((self._textarea[0], "textarea", self._textarea[1]))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if self._form is not None:
                name, first, chosen = self._select
                self._form.fields.append((name, "select", chosen if chosen is not None else (first or "")))
            self._select = None


def discover_forms(client, seeds: list[str], max_pages: int = 120) -> tuple[list[Form], int]:
    """Follow same-site links from the seeds with the test client; every distinct POST form with text to type."""
    forms, pages = crawl_forms(client, seeds, max_pages)
    return [f for f in forms if f.method == "post" and not SKIP_PATHS.search(urlsplit(f.action).path)
            and f.fuzzable()], pages


def crawl_forms(client, seeds: list[str], max_pages: int = 120) -> tuple[list[Form], int]:
    """Follow same-site links from the seeds with the test client; every distinct form found, POST and GET."""
    queue, seen, per_pattern = deque(seeds), set(seeds), Counter()
    forms: dict[tuple, Form] = {}
    pages = 0
    while queue and pages < max_pages:
        url = queue.popleft()
        parts = urlsplit(url)
        key = pattern(parts.path, parts.query)
        if per_pattern[key] >= 2:
            continue
        per_pattern[key] += 1
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        parser = _FormParser("http://localhost" + url)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if form.method in {"get", "post"}:
                forms.setdefault(form.key(), form)
        for link in parser.links:
            split = urlsplit(link)
            if split.netloc not in ("", "localhost") or SKIP_PATHS.search(split.path):
                continue
            path = split.path + ("?" + split.query if split.query else "")
            if path not in seen:
                seen.add(path)
                queue.append(path)
    return list(forms.values()), pages
