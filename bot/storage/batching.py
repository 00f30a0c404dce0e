"""Group work that arrives at the same moment into one round trip (group commit, batched reads).

Each caller still waits for its own result, so nothing is acknowledged before it is done; but
when hundreds of people write at once, the database sees a handful of transactions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


class Batcher(Generic[K, V, R]):
    """Calls `process` with everything submitted while the previous call ran.

    For one key, the latest value wins and every caller waiting on that key gets its result.
    """

    def __init__(self, process: Callable[[dict[K, V]], Awaitable[Mapping[K, R]]]) -> None:
        self._process = process
        self._pending: dict[K, V] = {}
        self._waiters: dict[K, list[asyncio.Future[R]]] = {}
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, key: K, value: V) -> R:
        self._pending[key] = value
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append(done)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run())
        return await done

    def discard(self, key: K) -> None:
        """Drop a pending value (its waiters still get the result of the next batch)."""
        self._pending.pop(key, None)

    async def drain(self) -> None:
        if self._worker is not None:
            await asyncio.shield(self._worker)

    async def _run(self) -> None:
        while self._pending:
            batch, waiters = self._pending, self._waiters
            self._pending, self._waiters = {}, {}
            try:
                results = await self._process(batch)
            except Exception as exc:  # every waiter learns its work failed; none is lost silently
                for futures in waiters.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                continue
            for key, futures in waiters.items():
                for future in futures:
                    if not future.done():
                        future.set_result(results[key])
