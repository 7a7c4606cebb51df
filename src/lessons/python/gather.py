# Start every call, then wait for all of them together:
# httpx.AsyncClient + asyncio.gather.
# Try it against the dev server (tools/serve):
#   python3 gather.py [BASE N DELAY_MS]
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
SLOW_EVERY = 0     # 0: none; else one call in SLOW_EVERY ...
SLOW_MS = 3000     # ... waits this long instead
FAIL_PCT = 0       # the API answers 503 to this share


def delay_for(i):
    if SLOW_EVERY and i % SLOW_EVERY == SLOW_EVERY - 1:
        return SLOW_MS
    if UNEVEN:
        return DELAY_MS * (50 + (i * 37) % 101) // 100
    return DELAY_MS


async def fetch_one(client, i):
    url = (f"{BASE}/api/delay/{delay_for(i)}"
           f"?i={i}&status={STATUS}"
           f"&fail={FAIL_PCT}&key={i}-0")
    # While this coroutine waits for its answer,
    # the event loop runs the other ones.
    reply = await client.get(url)  #@wait
    # No await in burn(): while it runs, the loop runs
    # nothing else, and the other answers wait their turn.
    burn(CPU_MS)  #@cpu
    return reply.json()


async def fetch_all():
    # A pool of N connections: every call goes out at once.
    pool = httpx.Limits(max_connections=N)
    async with httpx.AsyncClient(timeout=20,
                                 limits=pool) as client:
        # Coroutines are created here, none is running yet.
        calls = [fetch_one(client, i) for i in range(N)]
        # gather runs them all: total = the slowest call
        # (+ N x CPU_MS: the computing is not overlapped).
        return await asyncio.gather(*calls)


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
    print(f"concurrent: {N} calls in {took:.3f} s")
