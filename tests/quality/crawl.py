"""A same-origin crawler for chromium that runs axe-core on every page it visits."""
from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.quality.tools import AXE_JS

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MAX_PAGES = 150
# URLs that differ only in numbers (ids, ?page=) are the same template: a few of each suffice.
PER_PATTERN = 3
SKIP_PATHS = re.compile(r"^/(static/|auth/sign-out)|\.(ics|csv|ical|pdf|zip|json)$|/(export|download|feed)s?(/|$)",
                        re.IGNORECASE)

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + "  " + n.html.slice(0, 160)),
  }));
}"""


# The widths every page must fit: a laptop, a small laptop or tablet on its side, a phone.
WIDTHS = (1280, 1024, 390)
MEASURE_WIDTH = """() => {
  const doc = document.documentElement;
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const clipped = [];
  for (const el of document.querySelectorAll("main *")) {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === "auto" || overflow === "scroll" || overflow === "hidden") && el.scrollWidth > el.clientWidth + 1
        && el.clientWidth > 1) {
      clipped.push(describe(el) + " shows " + el.clientWidth + " of " + el.scrollWidth + " px");
    }
  }
  return {wider_by: doc.scrollWidth - window.innerWidth, clipped: clipped.slice(0, 5)};
}"""


@dataclass
class Visited:
    url: str
    status: int
    html: str
    headers: dict
    violations: list = field(default_factory=list)
    # Per window width: how many px the page is wider than the window, and what scrolls inside it.
    widths: dict = field(default_factory=dict)


def measure_widths(page) -> dict:
    """At each of WIDTHS: whether the page is wider than the window, and which boxes hide their content
    behind a scroll bar; the window is left at the first width."""
    measured = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        measured[width] = page.evaluate(MEASURE_WIDTH)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return measured


def pattern(path: str, query: str) -> str:
    """The URL with every number replaced, so /x/1 and /x/2?page=3 count as one template."""
    params = sorted((k, re.sub(r"\d+", "N", v)) for k, v in parse_qsl(query, keep_blank_values=True))
    return re.sub(r"\d+", "N", path) + "?" + urlencode(params)


def _same_origin_path(href: str, origin: str) -> str | None:
    if not href.startswith(origin):
        return None
    parts = urlsplit(href)
    path = parts.path or "/"
    if SKIP_PATHS.search(path):
        return None
    return path + ("?" + parts.query if parts.query else "")


def seeds_from(app) -> list[str]:
    """Home plus every GET page that takes no arguments, so pages nobody links yet are still checked."""
    seeds = ["/"]
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint in {"static", "main.healthz"}:
            continue
        if rule.rule not in seeds:
            seeds.append(rule.rule)
    return seeds


def crawl(page, origin: str, seeds: list[str], max_pages: int = MAX_PAGES, axe: bool = True,
          widths: bool = True) -> list[Visited]:
    """Breadth-first over same-origin GET links from the seeds; returns every HTML page visited."""
    queue = deque(seeds)
    seen: set[str] = set(seeds)
    per_pattern: Counter = Counter()
    landed_seen: set[str] = set()
    visited: list[Visited] = []
    while queue and len(visited) < max_pages:
        target = queue.popleft()
        parts = urlsplit(target)
        key = pattern(parts.path, parts.query)
        if per_pattern[key] >= PER_PATTERN:
            continue
        per_pattern[key] += 1
        try:
            response = page.goto(target)
        except Exception as exc:  # noqa: BLE001  a link that starts a download is not a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        landed = urlsplit(page.url)
        landed_path = landed.path + ("?" + landed.query if landed.query else "")
        if landed_path != target:
            # A redirect (often to sign-in with a different ?next=): one visit per landing page will do.
            if landed.path in landed_seen:
                continue
            landed_seen.add(landed.path)
        seen.add(landed_path)
        if page.locator("[data-hx-trigger*='load']").count():
            page.wait_for_load_state("networkidle")
        record = Visited(url=landed_path, status=response.status, html=response.text(),
                         headers=response.all_headers())
        if axe:
            page.add_script_tag(path=str(AXE_JS))
            record.violations = page.evaluate(RUN_AXE, AXE_TAGS)
        if widths:
            record.widths = measure_widths(page)
        visited.append(record)
        for href in page.eval_on_selector_all(
                "a[href]:not([download])", "els => els.map(e => e.href.split('#')[0])"):
            path = _same_origin_path(href, origin)
            if path and path not in seen:
                seen.add(path)
                queue.append(path)
    return visited
