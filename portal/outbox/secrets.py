"""Secret links in outgoing mail: masked in the stored body, kept encrypted until sent, then blanked."""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# What the stored (and shown) body says where a secret link was.
MASK = "[link removed: sent only to the recipient]"


class SecretUnreadable(Exception):
    """The kept secret could not be decrypted (the secret key changed, or the row was altered)."""


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"cohort-portal outbox secrets").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def mask_secrets(body: str, secrets: Sequence[str]) -> tuple[str, str | None]:
    """The body with every occurrence of each secret replaced by MASK, and the secrets in order, encrypted.

    Raises ValueError when a secret is not in the body, or when the body already holds the mask text
    (it could not be rebuilt then).
    """
    secrets = [s for s in secrets if s]
    if not secrets:
        return body, None
    if MASK in body:
        raise ValueError("The body already holds the mask text.")
    missing = [s for s in secrets if s not in body]
    if missing:
        raise ValueError("A secret link to hide is not in the body.")
    # Longest first, so a secret that contains another is masked whole.
    pattern = re.compile("|".join(re.escape(s) for s in sorted(set(secrets), key=len, reverse=True)))
    found: list[str] = []

    def hide(match: re.Match) -> str:
        found.append(match.group(0))
        return MASK

    masked = pattern.sub(hide, body)
    return masked, _fernet().encrypt(json.dumps(found).encode()).decode()


def unmask(body: str, sealed: str | None) -> str:
    """The body as the recipient must read it: each MASK replaced, in order, by its decrypted secret."""
    if sealed is None:
        return body
    try:
        found = json.loads(_fernet().decrypt(sealed.encode()))
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("The hidden link in this message cannot be read back (the secret key changed?).") from exc
    pieces = body.split(MASK)
    if len(pieces) != len(found) + 1:
        raise SecretUnreadable("The hidden links in this message do not match its body.")
    out = [pieces[0]]
    for secret, piece in zip(found, pieces[1:]):
        out += [secret, piece]
    return "".join(out)
