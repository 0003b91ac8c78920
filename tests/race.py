"""Running changes at the same moment, as concurrency tests need: real threads, each with its own app
context, database session and connection, released together by a barrier. Meaningful on PostgreSQL
(TEST_DATABASE_URL); on SQLite the database's one writer serialises them anyway."""
from __future__ import annotations

import threading
from collections.abc import Callable

from portal.extensions import db
from portal.errors import ServiceError


def at_once(app, *changes: Callable[[], object]) -> list[object]:
    """Run each change (a zero-argument callable that loads its rows and calls one service) in its own
    thread, all released together, each committed on success or rolled back on a refusal. Returns, in the
    order given, each change's value or its ServiceError; any other exception fails the test."""
    barrier = threading.Barrier(len(changes))
    results: list[object] = [None] * len(changes)
    unexpected: list[BaseException] = []

    def run(index: int, change: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = change()
                db.session.commit()
            except ServiceError as refused:
                db.session.rollback()
                results[index] = refused
            except BaseException as exc:  # noqa: BLE001  reported to the test below
                db.session.rollback()
                unexpected.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, change)) for i, change in enumerate(changes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not unexpected, unexpected
    db.session.expire_all()
    return results
