"""A software authenticator for the server-side passkey tests: an ES256 key pair that
answers WebAuthn's registration and sign-in challenges as a security key would
(attestation "none"). The browser test uses Chromium's virtual authenticator instead."""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django_otp_webauthn.models import WebAuthnCredential

from congvu.accounts.models import User

RP_ID = "localhost"
ORIGIN = "http://localhost:8000"  # config/settings.py's default for the development site
_UP, _UV, _AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class SoftKey:
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def stored_for(self, user: User, name: str) -> WebAuthnCredential:
        """As if registered earlier (the registration ceremony is tested on its own)."""
        credential = WebAuthnCredential(
            user=user,
            name=name,
            credential_id=self.credential_id,
            public_key=self.cose_public_key(),
            sign_count=self.sign_count,
            aaguid="00000000-0000-0000-0000-000000000000",
            transports=["usb"],
        )
        credential.save()
        return credential

    def _auth_data(self, flags: int, extra: bytes = b"") -> bytes:
        self.sign_count += 1
        rp_hash = hashlib.sha256(RP_ID.encode()).digest()
        return rp_hash + bytes([flags]) + struct.pack(">I", self.sign_count) + extra

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin}).encode()

    def create(self, options: dict[str, Any], *, origin: str = ORIGIN) -> dict[str, Any]:
        """The answer to registration options (navigator.credentials.create)."""
        attested = (
            bytes(16)  # AAGUID
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_public_key()
        )
        auth_data = self._auth_data(_UP | _UV | _AT, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["usb"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def get(self, options: dict[str, Any], *, origin: str = ORIGIN) -> dict[str, Any]:
        """The answer to sign-in options (navigator.credentials.get)."""
        auth_data = self._auth_data(_UP | _UV)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": None,
            },
            "clientExtensionResults": {},
        }
