from __future__ import annotations

from lotse.core.settings import load_settings
from lotse.guards.ratelimit import RateLimits, TokenBuckets, client_ip


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_rate_then_refuses_then_refills():
    clock = Clock()
    buckets = TokenBuckets(30, clock)
    assert all(buckets.allow("a") for _ in range(30))
    assert not buckets.allow("a")
    clock.now += 2.0  # 30 a minute: one token every two seconds
    assert buckets.allow("a")
    assert not buckets.allow("a")
    clock.now += 3600
    assert sum(buckets.allow("a") for _ in range(40)) == 30  # never more than a full bucket


def test_buckets_are_per_key_and_zero_means_unlimited():
    clock = Clock()
    buckets = TokenBuckets(2, clock)
    assert buckets.allow("a") and buckets.allow("a") and not buckets.allow("a")
    assert buckets.allow("b")
    assert all(TokenBuckets(0, clock).allow("a") for _ in range(1000))


def test_memory_is_bounded():
    buckets = TokenBuckets(5, Clock(), max_keys=100)
    for i in range(1000):
        buckets.allow(f"k{i}")
    assert len(buckets) == 100


def test_client_ip_trusts_forwarded_for_only_from_a_trusted_proxy():
    proxies = ("127.0.0.1", "::1")
    assert client_ip("203.0.113.9", "10.0.0.1", proxies) == "203.0.113.9"  # forged header ignored
    assert client_ip("127.0.0.1", None, proxies) == "127.0.0.1"
    assert client_ip("127.0.0.1", "198.51.100.4", proxies) == "198.51.100.4"
    assert client_ip("127.0.0.1", "10.9.9.9, 198.51.100.4, 127.0.0.1", proxies) == "198.51.100.4"
    assert client_ip("127.0.0.1", "not-an-ip", proxies) == "unknown"
    assert client_ip("::1", "2001:db8::1", proxies) == "2001:db8::1"
    assert client_ip(None, None, proxies) == "unknown"


def test_limits_per_ip_and_per_conversation_with_loopback_exempt():
    clock = Clock()
    settings = load_settings({"LOTSE_RATE_PER_IP_PER_MINUTE": "6", "LOTSE_RATE_PER_CONVERSATION_PER_MINUTE": "3"})
    limits = RateLimits(settings, clock)
    assert [limits.check("198.51.100.4", "c1").allowed for _ in range(4)] == [True, True, True, False]
    assert limits.check("198.51.100.4", "c1").reason == "conversation"
    assert limits.check("198.51.100.4", "c2").allowed  # another conversation is unaffected
    assert not limits.check("198.51.100.4", "c3").allowed  # … until the IP's own limit
    assert limits.check("198.51.100.4", "c3").reason == "ip"
    assert limits.check("203.0.113.1", "c9").allowed  # another IP is unaffected
    assert all(limits.check("127.0.0.1", "c1").allowed for _ in range(100))  # loopback: benchmarks, the web page


def test_no_address_is_exempt_when_configured_so():
    settings = load_settings({"LOTSE_RATE_PER_IP_PER_MINUTE": "2", "LOTSE_RATE_EXEMPT_IPS": ""})
    limits = RateLimits(settings, Clock())
    assert [limits.check("127.0.0.1", None).allowed for _ in range(3)] == [True, True, False]
