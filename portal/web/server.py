"""What a server process does once it has started: keep its start-up objects out of the collector's walk."""
from __future__ import annotations

import gc


def freeze_start_up_objects() -> None:
    """Move everything loaded so far (the app, its modules and templates) out of the garbage
    collector's reach, once a server process has started.

    Those objects live as long as the process; left in the collector, every full collection walks
    all of them, and a page that builds a thousand-row table triggers such collections, which then
    cost as much as the page itself.
    """
    gc.collect()
    gc.freeze()
