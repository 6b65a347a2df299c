"""The server's Ed25519 card key: made once, kept in the database, public half to devices."""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server_sync.models.changes import record_change
from server_sync.models.points import SigningKey
from server_sync.protocol import cards

log = logging.getLogger(__name__)

CARD_KEY = "card"


def ensure_card_key(session: Session) -> SigningKey:
    """The card key, made on first use. Safe when two processes start at once."""
    row = session.get(SigningKey, CARD_KEY)
    if row is not None:
        return row
    key = cards.generate_private_key()
    row = SigningKey(
        name=CARD_KEY,
        private_key=cards.private_key_to_text(key),
        public_key=cards.public_key_text(key),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return session.get(SigningKey, CARD_KEY)
    record_change(session, "keys", CARD_KEY)
    log.info("made the server's card signing key")
    return row


def card_public_key(session: Session) -> str | None:
    row = session.get(SigningKey, CARD_KEY)
    return None if row is None else row.public_key


def card_private_key(session: Session) -> Ed25519PrivateKey:
    return cards.private_key_from_text(ensure_card_key(session).private_key)
