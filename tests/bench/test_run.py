"""The benchmark's contract: it builds its data, times every key page, prints a table and writes JSON."""
from __future__ import annotations

import gc
import json

from sqlalchemy import text

from portal import create_app
from portal.bench.data import QUICK, BenchData
from portal.bench.measure import QueryCounter
from portal.bench.run import page_plan, run, settle
from portal.extensions import db


def test_a_quick_run_prints_a_table_and_writes_json(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    out = tmp_path / "bench.json"
    try:
        _results, report = run(create_app, "quick", repeat=2, out=str(out), load_seconds=0)
    finally:
        gc.unfreeze()  # the run freezes start-up objects as a server process would; this is a test process

    written = json.loads(out.read_text())
    assert written == json.loads(json.dumps(report))
    names = [r["name"] for r in written["results"]]
    assert names[0] == "sign-in (POST)" and names[-1].startswith("matching")
    assert [name for name, _who, _url in page_plan(BenchData(size=QUICK))] == names[1:-1]
    for result in written["results"][1:-1]:
        assert result["status"] == 200, result
        assert 0 < result["queries"] <= 12 and result["bytes"] > 0, result
        assert 0 < result["median_ms"] <= result["p95_ms"], result
    printed = capsys.readouterr().out
    assert "moderation table" in printed and f"JSON written to {out}" in printed
    assert written["database"] == "sqlite" and written["size"] == "quick" and written["load"] is None
    speed = written["machine_speed_ms"]
    assert speed["before"] > 0 and speed["after"] > 0 and "machine speed (a fixed loop" in printed


def test_settling_analyses_postgresql_and_leaves_sqlite_alone(app):
    """PostgreSQL gets VACUUM ANALYZE; SQLite is not analysed (its statistics change plans the
    benchmark's pages were tuned without)."""
    with QueryCounter(db.engine) as counter:
        settle(db.engine)
    if db.engine.dialect.name == "postgresql":
        analysed = db.session.scalar(text(
            "SELECT last_analyze IS NOT NULL AND last_vacuum IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname = 'panel_reviews'"))
        assert analysed is True
    else:
        assert counter.count == 0
        assert db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")) == 0
