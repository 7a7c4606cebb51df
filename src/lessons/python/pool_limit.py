# gather over a client whose pool holds only LIMIT
# connections: httpx itself makes the other calls queue.
# Try it against the dev server (tools/serve):
#   python3 pool_limit.py [BASE N DELAY_MS LIMIT]
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


async def fetch_one(client, i):
    url = (f"{BASE}/api/delay/{DELAY_MS}"
           f"?i={i}&status={STATUS}")
    # Waits for a free connection first, then for the API.
    reply = await client.get(url)  #@queue,wait
    burn(CPU_MS)  #@cpu
    return reply.json()


async def fetch_all():
    pool = httpx.Limits(max_connections=LIMIT)
    # pool=None: a call may queue for a connection as long
    # as it takes, instead of failing after 5 s.
    wait = httpx.Timeout(20, pool=None)
    async with httpx.AsyncClient(timeout=wait,
                                 limits=pool) as client:
        calls = [fetch_one(client, i) for i in range(N)]
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
    print(f"pool_limit: {N} calls, {LIMIT} connections,"
          f" in {took:.3f} s")
