# Every call scheduled at once, but a semaphore lets
# only LIMIT of them be in flight at any moment.
# Try it against the dev server (tools/serve):
#   python3 semaphore.py [BASE N DELAY_MS LIMIT]
import asyncio
import sys
import time

import httpx

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
STATUS = 200       # the HTTP status the API is asked for
LIMIT = 5
CPU_MS = 0         # work done on each answer, in ms of CPU


async def fetch_one(client, gate, i):
    url = (f"{BASE}/api/delay/{DELAY_MS}"
           f"?i={i}&status={STATUS}")
    # Caller number LIMIT + 1 queues here until
    # one of the calls in flight has finished.
    async with gate:  #@queue
        reply = await client.get(url)  #@wait
        burn(CPU_MS)  #@cpu
    return reply.json()


async def fetch_all():
    gate = asyncio.Semaphore(LIMIT)
    async with httpx.AsyncClient(timeout=20) as client:
        calls = [fetch_one(client, gate, i) for i in range(N)]
        # Waves of LIMIT: ceil(N / LIMIT) x DELAY_MS.
        return await asyncio.gather(*calls)


def burn(ms):  # stands in for parsing, maths, resizing...
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


if __name__ == "__main__":
    if len(sys.argv) > 4:
        BASE = sys.argv[1]
        N, DELAY_MS = int(sys.argv[2]), int(sys.argv[3])
        LIMIT = int(sys.argv[4])
    t0 = time.perf_counter()
    asyncio.run(fetch_all())
    took = time.perf_counter() - t0
    print(f"bounded: {N} calls, {LIMIT} at a time,"
          f" in {took:.3f} s")
