# A blocking call hidden in async code: requests.get inside
# async def. gather starts every coroutine, but each one
# holds the event loop until its answer is in.
# Try it against the dev server (tools/serve):
#   python3 requests_in_async.py [BASE N DELAY_MS]
import asyncio
import sys
import time

import requests

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
STATUS = 200       # the HTTP status the API is asked for
CPU_MS = 0         # work done on each answer, in ms of CPU


async def fetch_one(session, i):
    url = (f"{BASE}/api/delay/{DELAY_MS}"
           f"?i={i}&status={STATUS}")
    # No await here: nothing else can run while it waits.
    reply = session.get(url, timeout=20)  #@wait
    burn(CPU_MS)  #@cpu
    return reply.json()


async def fetch_all():
    with requests.Session() as session:
        calls = [fetch_one(session, i) for i in range(N)]
        # Looks concurrent; runs one at a time: N x DELAY_MS.
        return await asyncio.gather(*calls)  #@queue


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
    print(f"blocking_in_async: {N} calls in {took:.3f} s")
