# All calls scheduled at once, but a semaphore lets only LIMIT of them be in flight.
# Run it against the playground's dev server:  python3 bounded.py [BASE] [N] [DELAY_MS] [LIMIT]
import asyncio
import sys
import time

import httpx

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
LIMIT = 5


async def fetch_one(client, gate, i):
    async with gate:  # the (LIMIT+1)-th caller queues here until a slot frees up
        reply = await client.get(f"{BASE}/api/delay/{DELAY_MS}?i={i}")
    return reply.json()


async def fetch_all():
    gate = asyncio.Semaphore(LIMIT)
    async with httpx.AsyncClient(timeout=20) as client:
        calls = [fetch_one(client, gate, i) for i in range(N)]
        return await asyncio.gather(*calls)  # waves of LIMIT: total = ceil(N / LIMIT) x DELAY_MS


if __name__ == "__main__":
    if len(sys.argv) > 4:
        BASE, N, DELAY_MS, LIMIT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    t0 = time.perf_counter()
    asyncio.run(fetch_all())
    print(f"bounded: {N} calls, {LIMIT} at a time, in {time.perf_counter() - t0:.3f} s")
