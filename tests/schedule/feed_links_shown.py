"""Reading a feed link the way a person does: from the one page that shows a new link."""
from __future__ import annotations

import re


def shown_feed_path(client) -> str | None:
    """The path of the new feed link the calendar links page shows (once), or None when it shows none."""
    page = client.get("/schedule/feeds").get_data(as_text=True)
    found = re.search(r'value="https?://[^/"]+(/schedule/feed/[^"]+\.ics)"', page)
    return found.group(1) if found else None
