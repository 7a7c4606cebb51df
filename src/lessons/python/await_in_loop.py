# The classic slip: async code that awaits each call inside
# the for loop. It is valid, and no faster than requests.
# Try it against the dev server (tools/serve):
#   python3 await_in_loop.py [BASE N DELAY_MS]
import asyncio
import sys
import time

import httpx

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
STATUS = 200       # the HTTP status the API is asked for
CPU_MS = 0         # work done on each answer, in ms of CPU


async def fetch_all():
    bodies = []
    async with httpx.AsyncClient(timeout=20) as client:
        for i in range(N):
            url = (f"{BASE}/api/delay/{DELAY_MS}"
                   f"?i={i}&status={STATUS}")
            # This await finishes before the loop goes on,
            # so only one request ever waits at a time.
            reply = await client.get(url)  #@wait
            bodies.append(reply.json())
            burn(CPU_MS)  #@cpu
    return bodies  # total: N x (DELAY_MS + CPU_MS)


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
    print(f"await_in_loop: {N} calls in {took:.3f} s")
