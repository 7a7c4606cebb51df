# The fix when the blocking call has to stay: hand it to a
# pool of LIMIT threads with asyncio.to_thread.
# Try it against the dev server (tools/serve):
#   python3 thread_pool.py [BASE N DELAY_MS LIMIT]
import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
STATUS = 200       # the HTTP status the API is asked for
LIMIT = 5
CPU_MS = 0         # work done on each answer, in ms of CPU


def fetch_blocking(i):
    url = (f"{BASE}/api/delay/{DELAY_MS}"
           f"?i={i}&status={STATUS}")
    return requests.get(url, timeout=20).json()  #@wait


async def fetch_one(i):
    # The call waits for a free worker thread, then blocks it.
    body = await asyncio.to_thread(fetch_blocking, i)  #@queue
    # Back on the event loop: the CPU work holds the loop.
    burn(CPU_MS)  #@cpu
    return body


async def fetch_all():
    loop = asyncio.get_running_loop()
    # to_thread uses the loop's default executor: size it.
    loop.set_default_executor(ThreadPoolExecutor(LIMIT))
    calls = [fetch_one(i) for i in range(N)]
    # LIMIT threads wait at once: ceil(N / LIMIT) x DELAY_MS.
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
    print(f"thread_pool: {N} calls, {LIMIT} threads,"
          f" in {took:.3f} s")
