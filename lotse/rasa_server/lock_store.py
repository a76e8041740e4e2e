"""A Redis lock store that is atomic across Rasa instances (registered in the runtime endpoints file).

Rasa's `RedisLockStore` keeps each conversation's ticket queue as one JSON value and changes it
with GET, modify, SET: two instances that take a ticket at the same moment both get ticket 0 and
process the same conversation at once (RasaHQ/rasa#9213; the fix went to Rasa Pro only).

Here every change is one Lua script, so Redis applies it atomically:

- `owner` holds the token of the turn that runs now, with an expiry (SET NX PX). It is renewed
  while the turn runs, released only by its owner (compare-and-delete), and expires on its own
  when the instance dies, so the conversation continues elsewhere after `lifetime_seconds`.
- `queue` (a sorted set) orders the waiting turns by ticket, so messages of one conversation are
  answered in the order they reached Redis. A waiter whose process died is dropped from the
  queue after `waiter_timeout_seconds` (5 s).
- Renewal (of held locks and of waiters' places) runs in a thread of its own, not in Rasa's event
  loop: under overload a busy loop can stall for seconds (measured: over 3 s with 200 concurrent
  conversations on 2 shared cores), and a lock renewed from the loop then expired mid-turn.
  A lock is kept for at most `MAX_TURN_SECONDS`, so a hung process cannot hold one forever.
- A turn that cannot get the lock within `wait_seconds` gives up with a `LockError`; the message
  is then not processed (the channel answers with an error and the client may retry).
- Redis unreachable: the turn is refused with a `LockError` at once (never run unlocked); the
  channels ask the user to send the message again in a moment (lotse/rasa_server/channels/rest.py, lotse/rasa_server/channels/common.py).
  A command that fails on a connection error is retried once on a fresh connection: after Redis
  restarts, the pooled connections to the old process are dead, and without the retry the first
  turns on each of them were refused although Redis was back. Every script is safe to run twice.

Keys are derived from a hash of the conversation id: no sender id (e.g. a phone number) in Redis.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import secrets
import threading
import time
import weakref
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncGenerator, Dict, Optional

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

log = logging.getLogger(__name__)

WAITER_TIMEOUT_MS = 5000
MAX_TURN_SECONDS = 300.0
FIRST_POLL_SECONDS = 0.005
MAX_POLL_SECONDS = 0.05

# KEYS: owner, queue, alive, seq. ARGV: token, lifetime ms, waiter timeout ms.
# Returns 1 when the lock was taken (or is already this token's: a retried call whose first answer
# was lost), 0 while someone else holds it or is ahead in the queue.
ACQUIRE = """
pcall(redis.replicate_commands)
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return 1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, waiter in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  if waiter ~= ARGV[1] then
    redis.call('ZREM', KEYS[2], waiter)
    redis.call('ZREM', KEYS[3], waiter)
  end
end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
local keep = tonumber(ARGV[2]) + tonumber(ARGV[3])
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[3], keep)
redis.call('PEXPIRE', KEYS[4], keep)
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
if redis.call('ZRANGE', KEYS[2], 0, 0)[1] ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
"""

# KEYS: owner. ARGV: token, lifetime ms. 1 if the token still owns the lock and it was extended.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS: queue, alive, owner. ARGV: token, waiter timeout ms, lifetime ms. Keeps a live waiter's
# place in the queue; 2 (and renewed) if the waiter got the lock and its loop has not noticed yet.
KEEP_WAITING = """
pcall(redis.replicate_commands)
if redis.call('GET', KEYS[3]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
  return 2
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
  local keep = tonumber(ARGV[2]) + tonumber(ARGV[3])
  redis.call('PEXPIRE', KEYS[1], keep)
  redis.call('PEXPIRE', KEYS[2], keep)
  return 1
end
return 0
"""

# KEYS: owner. ARGV: token. 1 if the token owned the lock and released it.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: queue, alive. ARGV: token. Leave the queue without having taken the lock.
ABANDON = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


def _client_options(retry_class: Any) -> Dict[str, Any]:
    """Timeouts, and one retry on a fresh connection after a connection error (see the module docstring)."""
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError

    return {
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "retry": retry_class(NoBackoff(), 1),
        "retry_on_error": [ConnectionError],  # not timeouts: a hung Redis would refuse turns only after 10 s
    }


@dataclass(frozen=True)
class LockKeys:
    owner: str
    queue: str
    alive: str
    seq: str

    @classmethod
    def for_conversation(cls, prefix: str, conversation_id: str) -> "LockKeys":
        digest = hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:32]
        base = f"{prefix}:lock:{{{digest}}}"  # one hash slot per conversation (Redis Cluster)
        return cls(f"{base}:owner", f"{base}:queue", f"{base}:alive", f"{base}:seq")


class AtomicRedisLockStore(LockStore):
    """Per-conversation mutual exclusion across processes and hosts (see the module docstring).

    Rasa creates it from endpoints.yml as `AtomicRedisLockStore(endpoint_config=...)` with
    `url`, `lifetime_seconds`, `wait_seconds` and `key_prefix` from the `lock_store` section.
    """

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        *,
        url: Optional[str] = None,
        lifetime_seconds: Optional[float] = None,
        wait_seconds: Optional[float] = None,
        key_prefix: Optional[str] = None,
        waiter_timeout_seconds: float = WAITER_TIMEOUT_MS / 1000,
    ) -> None:
        kwargs: Dict[str, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        self.url = url or (endpoint_config.url if endpoint_config else None) or "redis://127.0.0.1:6379/1"
        self.lifetime_ms = int(1000 * float(lifetime_seconds or kwargs.get("lifetime_seconds") or 15))
        self.wait_seconds = float(wait_seconds or kwargs.get("wait_seconds") or 30)
        self.key_prefix = str(key_prefix or kwargs.get("key_prefix") or "lotse")
        self.waiter_timeout_ms = int(1000 * waiter_timeout_seconds)
        if self.lifetime_ms < 300:
            raise ValueError("lock lifetime must be at least 0.3 s")
        self._clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any]" = weakref.WeakKeyDictionary()
        self._sync_client: Any = None
        self._keeper = _Keeper(self)
        super().__init__()

    # --- Redis connections --------------------------------------------------------------------

    def _client(self) -> Any:
        """An asyncio client for the running event loop (a client cannot be shared between loops)."""
        import redis.asyncio
        import redis.asyncio.retry

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = redis.asyncio.Redis.from_url(self.url, **_client_options(redis.asyncio.retry.Retry))
            self._clients[loop] = client
        return client

    def _sync(self) -> Any:
        if self._sync_client is None:
            import redis
            import redis.retry

            self._sync_client = redis.Redis.from_url(self.url, **_client_options(redis.retry.Retry))
        return self._sync_client

    def keys(self, conversation_id: str) -> LockKeys:
        return LockKeys.for_conversation(self.key_prefix, conversation_id)

    # --- the turn lock ------------------------------------------------------------------------

    async def try_acquire(self, conversation_id: str, token: str) -> bool:
        k = self.keys(conversation_id)
        taken = await self._client().eval(
            ACQUIRE, 4, k.owner, k.queue, k.alive, k.seq, token, self.lifetime_ms, self.waiter_timeout_ms
        )
        return int(taken) == 1

    async def renew(self, conversation_id: str, token: str) -> bool:
        return int(await self._client().eval(RENEW, 1, self.keys(conversation_id).owner, token, self.lifetime_ms)) == 1

    async def release(self, conversation_id: str, token: str) -> bool:
        return int(await self._client().eval(RELEASE, 1, self.keys(conversation_id).owner, token)) == 1

    async def abandon(self, conversation_id: str, token: str) -> None:
        k = self.keys(conversation_id)
        await self._client().eval(ABANDON, 2, k.queue, k.alive, token)

    async def acquire(self, conversation_id: str, token: str) -> None:
        """Wait for the turn lock (in ticket order) for at most `wait_seconds`, else LockError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        pause = FIRST_POLL_SECONDS
        keys = self.keys(conversation_id)
        # Kept alive from the start: Redis may grant the lock while this event loop is too busy
        # to read the answer for a while; the keeper renews it meanwhile.
        self._keeper.waiting(keys, token)
        try:
            while not await self.try_acquire(conversation_id, token):
                if loop.time() >= deadline:
                    raise LockError(
                        f"Conversation is busy: no turn lock after {self.wait_seconds:.0f} s "
                        f"(another message of this conversation is still being processed); message not processed."
                    )
                await asyncio.sleep(pause * random.uniform(0.5, 1.0))
                pause = min(MAX_POLL_SECONDS, pause * 2)
        except BaseException:
            self._keeper.forget(token)
            await _quietly(self.abandon(conversation_id, token))
            raise
        self._keeper.holding(keys, token)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's entry point: hold the conversation's lock for one turn.

        `lock_lifetime` and `wait_time_in_seconds` (Rasa's defaults, 60 s and a 1 s poll) are
        ignored: the lock is renewed while the turn runs, waiters poll every few milliseconds.
        """
        token = secrets.token_hex(16)
        try:
            await self.acquire(conversation_id, token)
        except LockError:
            raise
        except Exception as exc:  # Redis unreachable: refuse the turn rather than run it unlocked
            raise LockError(f"Lock store unavailable ({type(exc).__name__}); message not processed.") from exc
        try:
            yield TicketLock(conversation_id)
        finally:
            self._keeper.releasing(token)  # renewed until the release has reached Redis
            try:
                released = await self.release(conversation_id, token)
            except Exception as exc:  # the lock expires by itself
                log.warning("turn lock release failed: %s", type(exc).__name__)
            else:
                if not released:
                    log.error("turn finished after its lock had expired: another instance may have processed "
                              "the conversation meanwhile (Redis unreachable for longer than the lock lifetime?)")
            finally:
                self._keeper.forget(token)

    # --- Rasa's LockStore interface (introspection) --------------------------------------------

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        """The conversation's current holder and waiters as a read-only `TicketLock` snapshot."""
        k = self.keys(conversation_id)
        client = self._sync()
        owner_ttl_ms = client.pttl(k.owner)
        waiters = client.zrange(k.queue, 0, -1, withscores=True)
        if owner_ttl_ms < 0 and not waiters:
            return None
        now = time.time()
        tickets = []
        if owner_ttl_ms >= 0:
            tickets.append(Ticket(0, now + owner_ttl_ms / 1000))
        tickets += [Ticket(int(score), now + self.waiter_timeout_ms / 1000) for _, score in waiters]
        return TicketLock(conversation_id, tickets=deque(tickets))

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return bool(self._sync().zcard(self.keys(conversation_id).queue))

    def delete_lock(self, conversation_id: str) -> None:
        """Operator's escape hatch: remove the lock and the queue of a conversation."""
        k = self.keys(conversation_id)
        deleted = self._sync().delete(k.owner, k.queue, k.alive, k.seq)
        self._log_deletion(conversation_id, bool(deleted))

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("AtomicRedisLockStore changes its state only through atomic scripts; use lock().")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        raise NotImplementedError("AtomicRedisLockStore issues tickets inside lock(); use lock().")


class _Keeper:
    """Keeps this process's held locks and places in the queue alive from a daemon thread (started
    on first use, stopped when idle), independent of how busy the event loop is."""

    IDLE_SECONDS = 60.0

    def __init__(self, store: AtomicRedisLockStore) -> None:
        self._store = store
        self._mutex = threading.Lock()
        # token -> (keys, "waiting" | "held" | "releasing", since)
        self._entries: Dict[str, tuple[LockKeys, str, float]] = {}
        self._thread: Optional[threading.Thread] = None

    @property
    def interval(self) -> float:
        return min(self._store.lifetime_ms, self._store.waiter_timeout_ms) / 3000

    def holding(self, keys: LockKeys, token: str) -> None:
        self._set(token, keys, "held")

    def releasing(self, token: str) -> None:
        with self._mutex:
            entry = self._entries.get(token)
            if entry:
                self._entries[token] = (entry[0], "releasing", entry[2])

    def waiting(self, keys: LockKeys, token: str) -> None:
        self._set(token, keys, "waiting")

    def forget(self, token: str) -> None:
        with self._mutex:
            self._entries.pop(token, None)

    def _set(self, token: str, keys: LockKeys, kind: str) -> None:
        with self._mutex:
            self._entries[token] = (keys, kind, time.monotonic())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="lotse-lock-keeper", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(self.interval)
            with self._mutex:
                entries = list(self._entries.items())
                if not entries and time.monotonic() - idle_since > self.IDLE_SECONDS:
                    self._thread = None
                    return
            if entries:
                idle_since = time.monotonic()
                self._keep(entries)

    def _keep(self, entries: list[tuple[str, tuple[LockKeys, str, float]]]) -> None:
        store = self._store
        now = time.monotonic()
        try:
            pipe = store._sync().pipeline(transaction=False)
            for token, (keys, kind, _since) in entries:
                if kind in ("held", "releasing"):
                    pipe.eval(RENEW, 1, keys.owner, token, store.lifetime_ms)
                else:
                    pipe.eval(KEEP_WAITING, 3, keys.queue, keys.alive, keys.owner, token, store.waiter_timeout_ms, store.lifetime_ms)
            results = pipe.execute()
        except Exception as exc:  # Redis briefly unreachable: the locks live on until they expire
            log.warning("turn lock renewal failed: %s", type(exc).__name__)
            return
        for (token, (_keys, kind, since)), kept in zip(entries, results, strict=True):
            if kind != "held" or (int(kept) and now - since <= MAX_TURN_SECONDS):
                continue
            with self._mutex:
                if self._entries.pop(token, None) is None:
                    continue  # released meanwhile
            log.error("turn lock no longer held: %s", "expired" if not int(kept) else f"turn longer than {MAX_TURN_SECONDS:.0f} s")


async def _quietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception as exc:
        log.warning("turn lock clean-up failed: %s", type(exc).__name__)
