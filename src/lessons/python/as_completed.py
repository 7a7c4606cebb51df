# Start every call at once, then take each answer as soon
# as it is in, fastest first: asyncio.as_completed.
# Try it against the dev server (tools/serve):
#   python3 as_completed.py [BASE N DELAY_MS]
import asyncio
import sys
import time

import httpx

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
STATUS = 200       # the HTTP status the API is asked for
CPU_MS = 0         # work done on each answer, in ms of CPU
UNEVEN = False     # True: call i waits 0.5 to 1.5 x DELAY_MS


def delay_for(i):
    if not UNEVEN:
        return DELAY_MS
    return DELAY_MS * (50 + (i * 37) % 101) // 100


async def fetch_one(client, i):
    url = (f"{BASE}/api/delay/{delay_for(i)}"
           f"?i={i}&status={STATUS}")
    reply = await client.get(url)  #@wait
    burn(CPU_MS)  #@cpu
    return i, reply.json()


async def fetch_all():
    pool = httpx.Limits(max_connections=N)
    async with httpx.AsyncClient(timeout=20,
                                 limits=pool) as client:
        calls = [fetch_one(client, i) for i in range(N)]
        order = []
        # Results arrive in finishing order, not call order.
        for next_done in asyncio.as_completed(calls):
            i, body = await next_done
            order.append(i)
        return order  # total: the slowest call


def burn(ms):  # stands in for parsing, maths, resizing...
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


if __name__ == "__main__":
    if len(sys.argv) > 3:
        BASE = sys.argv[1]
        N, DELAY_MS = int(sys.argv[2]), int(sys.argv[3])
    t0 = time.perf_counter()
    asyncio.run(fetch_all())
    took = time.perf_counter() - t0
    print(f"as_completed: {N} calls in {took:.3f} s")
