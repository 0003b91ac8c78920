"""The portfolio register's changes: sharing an example (a link or a checked PDF), its file, withdrawing it.

An uploaded file lives under instance/uploads and follows its row: it is removed when the row that
named it is rolled back, or once the withdrawal that deleted the row commits.
"""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.extensions import db
from portal.mentoring import rules
from portal.mentoring.errors import MentoringError
from portal.mentoring.models import ExamplePortfolio
from portal.mentoring.pool import parse_areas

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def pdf_problem(data: bytes) -> str | None:
    """Why these bytes are not an acceptable PDF, or None.

    Checks the size, the '%PDF-1.x' header, at least one object, a cross-reference
    ('startxref') and the '%%EOF' marker at the end — so a renamed text or image file is refused.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        return "The file is larger than 10 MB; upload a smaller PDF or share a link instead."
    if not data:
        return "The file is empty."
    if not re.match(rb"%PDF-[12]\.\d", data[:1024].lstrip(b"\x00\t\r\n ")):
        return "This file is not a PDF (it does not start like one). Upload a PDF or share a link instead."
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in data[-4096:]:
        return "This PDF is incomplete or damaged (no end-of-file marker). Save it again as PDF and retry."
    if not re.search(rb"\d+\s+\d+\s+obj", data):
        return "This PDF has no content objects; save it again as PDF and retry."
    return None


_DELETE_ON_COMMIT = "mentoring_delete_on_commit"
_DELETE_ON_ROLLBACK = "mentoring_delete_on_rollback"


@event.listens_for(Session, "after_commit")
def _delete_files_after_commit(session) -> None:
    for path in session.info.pop(_DELETE_ON_COMMIT, []):
        Path(path).unlink(missing_ok=True)
    session.info.pop(_DELETE_ON_ROLLBACK, None)


@event.listens_for(Session, "after_soft_rollback")
def _delete_files_after_rollback(session, previous_transaction) -> None:
    # A stored upload whose row never committed is removed; a withdrawn file whose delete was rolled back stays.
    for path in session.info.pop(_DELETE_ON_ROLLBACK, []):
        Path(path).unlink(missing_ok=True)
    session.info.pop(_DELETE_ON_COMMIT, None)


def upload_dir() -> Path:
    """Uploads live under the instance folder, never under static/ (they are served only to signed-in staff)."""
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def share_example(owner: User, *, pathway_id: int | None, job_role: str, specialist_areas, summary: str,
                  link_url: str = "", pdf: bytes | None = None, filename: str = "") -> ExamplePortfolio:
    """Add an example portfolio to the register: a link or a checked PDF (stored under instance/uploads).

    Audit 'example.shared'.
    """
    link_url = (link_url or "").strip()
    if not link_url and not pdf:
        raise MentoringError("Give a link or upload a PDF.", "link_url")
    if link_url and not re.match(r"https?://[^\s/]+\.[^\s]+$", link_url):
        raise MentoringError("Give a full web address starting with https://.", "link_url")
    example = ExamplePortfolio(owner_id=owner.id, pathway_id=pathway_id, job_role=(job_role or "").strip()[:200],
                               specialist_areas=parse_areas(specialist_areas), summary=(summary or "").strip(),
                               link_url=link_url[:500])
    if pdf:
        problem = pdf_problem(pdf)
        if problem:
            raise MentoringError(problem, "pdf")
        stored = f"{uuid.uuid4().hex}.pdf"
        target = upload_dir() / stored
        temp = target.with_suffix(".part")
        temp.write_bytes(pdf)
        os.replace(temp, target)
        db.session.info.setdefault(_DELETE_ON_ROLLBACK, []).append(str(target))
        example.stored_name = stored
        example.original_filename = _safe_filename(filename)
        example.file_size = len(pdf)
    db.session.add(example)
    db.session.flush()
    record(owner, "example.shared", example, summary=example.job_role or example.original_filename or link_url)
    return example


def _safe_filename(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", os.path.basename(name or "")).strip(" .") or "portfolio"
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    return base[:200]


def example_file(example: ExamplePortfolio) -> Path | None:
    """The stored PDF of an example, or None when it has none (or its name is not one the portal made)."""
    if not example.stored_name or not re.fullmatch(r"[0-9a-f]{32}\.pdf", example.stored_name):
        return None
    path = upload_dir() / example.stored_name
    return path if path.is_file() else None


def withdraw_example(actor: User, example: ExamplePortfolio) -> None:
    """The owner (or a lead) withdraws an example: the entry is deleted, and its file once that commits.

    Audit 'example.withdrawn'.
    """
    if not rules.can_withdraw_example(actor, example):
        raise MentoringError("Only the person who shared it can withdraw this example.")
    path = example_file(example)
    record(actor, "example.withdrawn", example, summary=example.job_role or example.original_filename)
    db.session.delete(example)
    db.session.flush()
    if path is not None:
        db.session.info.setdefault(_DELETE_ON_COMMIT, []).append(str(path))
