"""Personal data in events, sealed under a data key per case (DESIGN §10).

The library's cipher is application-wide; erasing one complainant means making only their
data unreadable, so this mapper seals just the personal fields of an event (see
`domain.personal_data`) with AES-256-GCM under the data key of the event's case (or the key
the event names: a bad rating's comment is sealed under the key of the case it opens), and
leaves the rest of the event as readable JSON for projections, the audit feed and the
ledger. The ledger hashes the stored bytes, which erasing a key does not touch.

A sealed field is stored as::

    {"sealed": "aes-256-gcm/v1", "key_id": "<case id>", "data": "<base64 nonce|ciphertext|tag>"}

On reading, a sealed field whose key was erased becomes `{"erased": true}` and one whose key
cannot be found `{"unavailable": true}`; every other field, and events stored before sealing
existed (plaintext personal fields), load as they are.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)

from domain.personal_data import ERASED, UNAVAILABLE, personal_fields_of

SEALED_MARK = "sealed"
SEALING_SCHEME = "aes-256-gcm/v1"
DATA_KEY_BYTES = 32
NONCE_BYTES = 12
_AAD_PREFIX = b"oversight personal data v1|"


class PersonalDataKeyMissing(LookupError):
    """No data key was ever made under this id (not erased: missing)."""


class PersonalDataKeys(Protocol):
    """The data keys of personal data, one per case; erasing one makes that data unreadable.

    Implementations must be safe to call from many threads at once.
    """

    def key_for_writing(self, key_id: UUID) -> bytes:
        """The key to seal new personal data under, made on first use.

        Raises `PersonalDataAlreadyErased` if the key was erased: nothing personal may be
        recorded again under it.
        """
        ...

    def key_for_reading(self, key_id: UUID) -> bytes | None:
        """The key, or None once erased; raises `PersonalDataKeyMissing` if never made."""
        ...

    def erase(self, key_id: UUID) -> bool:
        """Destroy the key for good; True if a key was destroyed now, False if there was none
        left to destroy (erased before, or personal data recorded before sealing existed).
        Afterwards nothing can be written under the id either."""
        ...


class PersonalDataMapper(Mapper[UUID]):
    """Seals the personal fields of events under their case's data key (see module doc)."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        *,
        keys: PersonalDataKeys,
    ) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)
        self.keys = keys

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        state = vars(domain_event)
        # Nothing to seal in an absent value (a rating without a comment): no key is made.
        fields = [
            name for name in personal_fields_of(type(domain_event)) if state.get(name) is not None
        ]
        if not fields:
            return super().to_stored_event(domain_event)
        key_id = domain_event.originator_id
        key = self.keys.key_for_writing(key_id)
        sealed_state = dict(state)
        for name in fields:
            plaintext = self.transcoder.encode(state[name])
            sealed_state[name] = seal(key, key_id, name, plaintext)
        sealed_event = object.__new__(type(domain_event))
        object.__setattr__(sealed_event, "__dict__", sealed_state)
        return super().to_stored_event(sealed_event)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        # Upcasters (run by the base class) see sealed personal fields as they are stored.
        domain_event = super().to_domain_event(stored_event)
        state = vars(domain_event)
        for name, value in list(state.items()):
            if is_sealed(value):
                try:
                    state[name] = self._open(name, value)
                except (ValueError, KeyError, TypeError) as error:
                    raise MapperDeserialisationError(
                        f"the sealed field {name!r} of event {stored_event.originator_id} "
                        f"v{stored_event.originator_version} cannot be opened: {error}"
                    ) from error
        return domain_event

    def _open(self, name: str, envelope: Mapping[str, Any]) -> Any:
        key_id = UUID(envelope["key_id"])
        try:
            key = self.keys.key_for_reading(key_id)
        except PersonalDataKeyMissing:
            return dict(UNAVAILABLE)
        if key is None:
            return dict(ERASED)
        return self.transcoder.decode(unseal(key, key_id, name, envelope))


def is_sealed(value: object) -> bool:
    """Whether a stored field value is a sealed personal field."""
    return isinstance(value, dict) and value.get(SEALED_MARK) == SEALING_SCHEME


def new_data_key() -> bytes:
    """A fresh random AES-256 key."""
    return AESGCM.generate_key(bit_length=DATA_KEY_BYTES * 8)


def seal(key: bytes, key_id: UUID, field: str, plaintext: bytes) -> dict[str, str]:
    """Encrypt a field's transcoded value; the key id and field name are authenticated, so a
    sealed value cannot be moved to another case or field unnoticed."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _associated_data(key_id, field))
    return {
        SEALED_MARK: SEALING_SCHEME,
        "key_id": str(key_id),
        "data": base64.b64encode(nonce + ciphertext).decode("ascii"),
    }


def unseal(key: bytes, key_id: UUID, field: str, envelope: Mapping[str, Any]) -> bytes:
    """The plaintext of a sealed value; ValueError if it was altered or sealed otherwise."""
    try:
        blob = base64.b64decode(envelope["data"], validate=True)
    except binascii.Error as error:
        raise ValueError("the sealed data is not base64") from error
    nonce, ciphertext = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, _associated_data(key_id, field))
    except InvalidTag as error:
        raise ValueError("the sealed data does not match its key, case or field") from error


def _associated_data(key_id: UUID, field: str) -> bytes:
    return _AAD_PREFIX + key_id.bytes + b"|" + field.encode()
