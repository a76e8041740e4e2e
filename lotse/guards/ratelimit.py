"""Rate limits for the public chat endpoints: token buckets per client IP and per conversation.

Pure and clock-injected, so it is unit-tested without waiting. A bucket holds `per_minute`
tokens and refills continuously at `per_minute` tokens a minute; a request takes one token.
Memory is bounded: the least recently used buckets are dropped first (a dropped bucket comes
back full, which only ever errs on the side of letting someone write).

Client IP: the connection's peer address — unless the peer is a trusted reverse proxy
(LOTSE_TRUSTED_PROXIES), then the nearest address in X-Forwarded-For that is not a trusted
proxy. Addresses in LOTSE_RATE_EXEMPT_IPS (default: loopback, i.e. the local benchmark and
soak scripts and the web page's own forwarding to Rasa) have no per-IP limit and no
per-conversation limit; a proxy's forwarded clients are never exempt that way, because their
address comes from X-Forwarded-For.
"""
from __future__ import annotations

import functools
import ipaddress
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from lotse.core.settings import Settings

Clock = Callable[[], float]


class TokenBuckets:
    """One token bucket per key; `per_minute` <= 0 means unlimited."""

    def __init__(self, per_minute: int, clock: Clock = time.monotonic, max_keys: int = 100_000):
        self.per_minute = per_minute
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: "OrderedDict[str, tuple[float, float]]" = OrderedDict()  # key -> (tokens, updated)

    def allow(self, key: str) -> bool:
        """Takes a token for `key` if one is left."""
        if self.per_minute <= 0:
            return True
        now = self.clock()
        tokens, updated = self._buckets.pop(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - updated) * self.per_minute / 60.0)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed

    def __len__(self) -> int:
        return len(self._buckets)


@functools.lru_cache(maxsize=4096)  # parsing addresses on every request was 2.7 % of Rasa's CPU (py-spy)
def _ip(value: str) -> Optional[str]:
    """The normalised address, or None when it is not an IP address."""
    try:
        return str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        return None


def client_ip(peer: Optional[str], forwarded_for: Optional[str], trusted_proxies: Iterable[str]) -> str:
    """The address a request came from (see the module docstring); "unknown" when there is none."""
    trusted = {a for a in (_ip(p) for p in trusted_proxies) if a}
    address = _ip(peer or "") or "unknown"
    if address not in trusted or not forwarded_for:
        return address
    for hop in reversed(forwarded_for.split(",")):
        hop_ip = _ip(hop)
        if hop_ip is None:
            return "unknown"  # a forged or broken header: one shared bucket, never an exemption
        if hop_ip not in trusted:
            return hop_ip
    return address


@dataclass
class Decision:
    allowed: bool
    reason: str = ""  # "ip" or "conversation" when refused


class RateLimits:
    """Per-IP and per-conversation limits of one endpoint."""

    def __init__(self, settings: Settings, clock: Clock = time.monotonic):
        self.exempt = {a for a in (_ip(x) for x in settings.rate_exempt_ips) if a}
        self.trusted_proxies = settings.trusted_proxies
        self.per_ip = TokenBuckets(settings.rate_per_ip_per_minute, clock)
        self.per_conversation = TokenBuckets(settings.rate_per_conversation_per_minute, clock)

    def client_ip(self, peer: Optional[str], forwarded_for: Optional[str]) -> str:
        return client_ip(peer, forwarded_for, self.trusted_proxies)

    def check(self, ip: str, conversation: Optional[str]) -> Decision:
        if ip in self.exempt:
            return Decision(True)
        if not self.per_ip.allow(ip):
            return Decision(False, "ip")
        if conversation is not None and not self.per_conversation.allow(conversation):
            return Decision(False, "conversation")
        return Decision(True)
