# Start every call, then wait for all of them together: httpx.AsyncClient + asyncio.gather.
# Run it against the playground's dev server:  python3 concurrent.py [BASE] [N] [DELAY_MS]
import asyncio
import sys
import time

import httpx

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500


async def fetch_one(client, i):
    # While this coroutine waits for its answer, the event loop runs the others.
    reply = await client.get(f"{BASE}/api/delay/{DELAY_MS}?i={i}")
    return reply.json()


async def fetch_all():
    # Pool sized to N so that every call gets its own connection at once.
    pool = httpx.Limits(max_connections=N)
    async with httpx.AsyncClient(timeout=20, limits=pool) as client:
        calls = [fetch_one(client, i) for i in range(N)]  # created, not yet running
        return await asyncio.gather(*calls)  # all in flight: total = slowest call


if __name__ == "__main__":
    if len(sys.argv) > 3:
        BASE, N, DELAY_MS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    t0 = time.perf_counter()
    asyncio.run(fetch_all())
    print(f"concurrent: {N} calls in {time.perf_counter() - t0:.3f} s")
