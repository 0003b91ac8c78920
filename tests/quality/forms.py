"""Finding every form the portal shows: a quick crawl with the test client and an HTML form parser."""
from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from tests.quality.crawl import SKIP_PATHS, pattern

TEXT_TYPES = {"text", "textarea", "email", "search", "url", "tel", "password", "number", "date", "time",
              "datetime-local", "month", "week"}


@dataclass
class Form:
    page: str
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, default value)

    def key(self) -> tuple:
        parts = urlsplit(self.action)
        return pattern(parts.path, ""), tuple(sorted({name for name, _, _ in self.fields}))

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

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href") and "download" not in a:
            self.links.append(urljoin(self.page, a["href"]).split("#")[0])
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = Form(page=self.page, action=urljoin(self.page, a.get("action") or self.page))
                self.forms.append(self._form)
            else:
                self._form = None
            return
        if self._form is None or not a.get("name") or "disabled" in a:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            self._form.fields.append((a["name"], kind, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
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
    """Follow same-site links from the seeds with the test client; every distinct POST form found."""
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
            if SKIP_PATHS.search(urlsplit(form.action).path) or not form.fuzzable():
                continue
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
