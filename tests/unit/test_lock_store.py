"""The atomic Redis lock store against the real Redis at 127.0.0.1:6379 (skipped when unreachable)."""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
import uuid

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from lotse.rasa_server.lock_store import AtomicRedisLockStore

REDIS_URL = "redis://127.0.0.1:6379/1"


@pytest.fixture
def prefix():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379 ({type(exc).__name__})")
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def store(prefix: str, **kwargs) -> AtomicRedisLockStore:
    kwargs.setdefault("lifetime_seconds", 10)
    kwargs.setdefault("wait_seconds", 60)
    return AtomicRedisLockStore(url=REDIS_URL, key_prefix=prefix, **kwargs)


def _turns_in_one_process(prefix: str, conversation: str, turns: int, results) -> None:
    """Run `turns` concurrent turns of one conversation; each does a non-atomic read-modify-write."""
    import redis.asyncio

    async def main() -> tuple[int, int]:
        locks = store(prefix)
        r = redis.asyncio.Redis.from_url(REDIS_URL)
        overlaps = errors = 0

        async def turn() -> None:
            nonlocal overlaps, errors
            try:
                async with locks.lock(conversation):
                    if await r.incr(f"{prefix}:inside") != 1:
                        overlaps += 1
                    value = int(await r.get(f"{prefix}:counter") or 0)
                    await asyncio.sleep(0.001)
                    await r.set(f"{prefix}:counter", value + 1)
                    await r.decr(f"{prefix}:inside")
            except Exception:  # noqa: BLE001 - counted and reported to the test
                errors += 1

        await asyncio.gather(*(turn() for _ in range(turns)))
        return overlaps, errors

    try:
        results.put(asyncio.run(main()))
    except BaseException:  # noqa: BLE001
        results.put((0, turns))
        raise


def test_turns_of_one_conversation_never_overlap_across_processes(prefix):
    import redis

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_turns_in_one_process, args=(prefix, "conv-1", 25, results)) for _ in range(4)]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=30)
    assert sum(o[1] for o in outcomes) == 0, "turns failed to get the lock"
    assert sum(o[0] for o in outcomes) == 0, "two turns of the same conversation ran at the same time"
    counter = int(redis.Redis.from_url(REDIS_URL).get(f"{prefix}:counter") or 0)
    assert counter == 100, f"{100 - counter} read-modify-write updates were lost"


def test_different_conversations_do_not_wait_for_each_other(prefix):
    async def main() -> bool:
        locks = store(prefix)
        async with locks.lock("conv-a"):
            return await locks.try_acquire("conv-b", "other-token")

    assert asyncio.run(main()) is True


def test_waiting_turns_are_served_in_the_order_they_arrived(prefix):
    async def main() -> list[str]:
        locks = store(prefix)
        order: list[str] = []
        holder = "holder"
        assert await locks.try_acquire("conv", holder)

        async def turn(name: str) -> None:
            async with locks.lock("conv"):
                order.append(name)

        waiters = []
        for name in ["first", "second", "third", "fourth"]:
            waiters.append(asyncio.ensure_future(turn(name)))
            while not await _queued(locks, "conv", len(waiters)):
                await asyncio.sleep(0.001)
        assert await locks.release("conv", holder)
        await asyncio.gather(*waiters)
        return order

    assert asyncio.run(main()) == ["first", "second", "third", "fourth"]


async def _queued(locks: AtomicRedisLockStore, conversation: str, count: int) -> bool:
    return await locks._client().zcard(locks.keys(conversation).queue) >= count


def test_only_the_owner_can_release_or_renew(prefix):
    async def main() -> tuple[bool, bool, bool, bool]:
        locks = store(prefix)
        assert await locks.try_acquire("conv", "owner")
        stranger_release = await locks.release("conv", "stranger")
        stranger_renew = await locks.renew("conv", "stranger")
        still_held = not await locks.try_acquire("conv", "third")
        owner_release = await locks.release("conv", "owner")
        return stranger_release, stranger_renew, still_held, owner_release

    assert asyncio.run(main()) == (False, False, True, True)


def test_a_turn_longer_than_the_lifetime_keeps_its_lock_even_with_a_blocked_event_loop(prefix):
    """An overloaded Rasa instance does not run its event loop for seconds: the lock must survive."""
    started, stolen = threading.Event(), []

    async def turn() -> None:
        async with store(prefix, lifetime_seconds=1).lock("conv"):
            started.set()
            time.sleep(3.5)  # the loop is blocked, well past the 1 s lifetime

    def competitor() -> None:
        async def probe() -> None:
            other = store(prefix, lifetime_seconds=1)
            for _ in range(10):  # for about 3 s while the turn runs
                if await other.try_acquire("conv", "competitor"):
                    stolen.append(True)
                    await other.release("conv", "competitor")
                await asyncio.sleep(0.3)
            await other.abandon("conv", "competitor")

        started.wait(30)
        asyncio.run(probe())

    thread = threading.Thread(target=competitor)
    thread.start()
    asyncio.run(turn())
    thread.join(30)
    assert started.is_set() and not stolen


def test_a_lock_granted_before_the_busy_loop_reads_the_answer_stays_held(prefix):
    """Redis grants the lock, but the instance's loop only reads that answer seconds later."""
    locks = store(prefix, lifetime_seconds=1)
    locks._keeper.waiting(locks.keys("conv"), "slow-reader")  # as acquire() does before asking
    assert asyncio.run(locks.try_acquire("conv", "slow-reader"))
    time.sleep(2.5)  # the loop is busy, well past the 1 s lifetime

    async def competitor() -> bool:
        other = store(prefix)
        taken = await other.try_acquire("conv", "competitor")
        await other.abandon("conv", "competitor")
        return taken

    assert asyncio.run(competitor()) is False
    locks._keeper.forget("slow-reader")


def _hold_forever(prefix: str, ready) -> None:
    async def main() -> None:
        locks = store(prefix, lifetime_seconds=1)
        async with locks.lock("conv"):
            ready.set()
            await asyncio.sleep(3600)

    asyncio.run(main())


def test_the_lock_of_a_killed_instance_expires_and_the_conversation_continues(prefix):
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold_forever, args=(prefix, ready))
    holder.start()
    assert ready.wait(timeout=60)

    async def blocked_now() -> bool:
        probe = store(prefix)
        blocked = not await probe.try_acquire("conv", "probe")
        await probe.abandon("conv", "probe")
        return blocked

    assert asyncio.run(blocked_now()), "the live holder's lock was not respected"
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(timeout=30)

    async def next_turn() -> str:
        async with store(prefix, wait_seconds=30).lock("conv"):
            return "served"

    assert asyncio.run(next_turn()) == "served"


def test_bounded_wait_gives_a_clear_error_and_leaves_the_queue(prefix):
    async def main() -> tuple[str, bool]:
        locks = store(prefix, wait_seconds=0.3)
        assert await locks.try_acquire("conv", "holder")
        with pytest.raises(LockError) as error:
            async with locks.lock("conv"):
                pass
        return str(error.value), locks.is_someone_waiting("conv")

    message, waiting = asyncio.run(main())
    assert "busy" in message and "not processed" in message
    assert waiting is False


def test_a_waiter_that_died_does_not_block_the_queue(prefix):
    async def main() -> str:
        locks = store(prefix, waiter_timeout_seconds=0.5, wait_seconds=30)
        assert await locks.try_acquire("conv", "holder")
        assert not await locks.try_acquire("conv", "dead-waiter")  # queued, then never polls again
        assert await locks.release("conv", "holder")
        async with locks.lock("conv"):
            return "served"

    assert asyncio.run(main()) == "served"


def test_redis_unreachable_refuses_the_turn():
    async def main() -> None:
        locks = AtomicRedisLockStore(url="redis://127.0.0.1:1/0", wait_seconds=1)
        async with locks.lock("conv"):
            pytest.fail("a turn ran without a lock")

    with pytest.raises(LockError, match="unavailable"):
        asyncio.run(main())


def test_after_redis_restarts_every_turn_gets_its_lock_again(tmp_path):
    """Pooled connections to the killed Redis are dead; without a retry on a fresh connection the
    first turns on each of them were refused although Redis was back (found by test_redis_down)."""
    import shutil
    import subprocess

    import redis

    from lotse.runner.stack import free_port

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"

    def start() -> subprocess.Popen:
        process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                    "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                redis.Redis.from_url(url, socket_connect_timeout=1).ping()
                return process
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    locks = AtomicRedisLockStore(url=url, wait_seconds=5)

    async def turn(conversation: str) -> str:
        try:
            async with locks.lock(conversation):
                await asyncio.sleep(0.05)
                return "served"
        except LockError:
            return "refused"

    async def main() -> tuple[list[str], list[str], list[str]]:
        nonlocal server
        before = await asyncio.gather(*(turn(f"c{i}") for i in range(6)))  # six pooled connections
        server.kill()
        server.wait()
        down = await asyncio.gather(*(turn(f"c{i}") for i in range(3)))
        server = start()
        after = await asyncio.gather(*(turn(f"c{i}") for i in range(6)))
        return before, down, after

    server = start()
    try:
        before, down, after = asyncio.run(main())
    finally:
        server.kill()
        server.wait()
    assert before == ["served"] * 6
    assert down == ["refused"] * 3
    assert after == ["served"] * 6


def test_rasa_creates_it_from_an_endpoint_config(prefix):
    config = EndpointConfig(
        url=REDIS_URL, type="lotse.rasa_server.lock_store.AtomicRedisLockStore", lifetime_seconds=7, wait_seconds=9, key_prefix=prefix
    )
    created = LockStore.create(config)
    assert isinstance(created, AtomicRedisLockStore)
    assert (created.url, created.lifetime_ms, created.wait_seconds, created.key_prefix) == (REDIS_URL, 7000, 9.0, prefix)


def test_snapshot_shows_holder_and_waiters_without_sender_ids_in_redis(prefix):
    import redis

    async def main() -> None:
        locks = store(prefix)
        assert await locks.try_acquire("+4917112345678", "holder")
        assert not await locks.try_acquire("+4917112345678", "waiter")

    asyncio.run(main())
    locks = store(prefix)
    snapshot = locks.get_lock("+4917112345678")
    assert snapshot is not None and len(snapshot.tickets) == 2
    assert locks.is_someone_waiting("+4917112345678")
    assert not any(b"4917112345678" in key for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}:*"))
    locks.delete_lock("+4917112345678")
    assert locks.get_lock("+4917112345678") is None


def test_rasas_stock_redis_lock_store_hands_out_the_same_ticket_twice(prefix):
    """Why the custom store exists (RasaHQ/rasa#9213): two instances taking a ticket at the same
    moment both read the empty queue, both write ticket 0, and both may run the turn."""
    first = RedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=prefix.replace("-", ""))
    second = RedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=prefix.replace("-", ""))
    lock_a = first.get_or_create_lock("conv")  # instance A reads ...
    lock_b = second.get_or_create_lock("conv")  # ... instance B reads before A has written
    ticket_a, ticket_b = lock_a.issue_ticket(60), lock_b.issue_ticket(60)
    first.save_lock(lock_a)
    second.save_lock(lock_b)
    stored = first.get_lock("conv")
    assert ticket_a == ticket_b == 0
    assert not stored.is_locked(ticket_a) and not stored.is_locked(ticket_b)  # both are "now serving"
    first.delete_lock("conv")
