"""Shared secrets and HMAC signatures compared in constant time (channels, action server)."""
from __future__ import annotations

import hashlib
import hmac
from typing import Optional


def secrets_equal(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison of a shared secret; an empty expected secret never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def hmac_sha256_valid(secret: str, body: bytes, signature_header: Optional[str]) -> bool:
    """Checks a `sha256=<hex>` header (Meta's X-Hub-Signature-256) against the raw body."""
    prefix = "sha256="
    if not secret or not signature_header or not signature_header.startswith(prefix):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return secrets_equal(signature_header[len(prefix):].strip().lower(), expected)
