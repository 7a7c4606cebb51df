# Every call at once, each with a timeout; timeouts and 5xx
# answers are retried after an exponential back-off with
# jitter. 4xx answers are not: asking again cannot help.
# Try it against the dev server (tools/serve):
#   python3 retries.py [BASE N DELAY_MS]
import asyncio
import sys
import time

import httpx

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
STATUS = 200       # the HTTP status the API is asked for
CPU_MS = 0         # work done on each answer, in ms of CPU
SLOW_EVERY = 10    # one call in SLOW_EVERY (0: none) ...
SLOW_MS = 3000     # ... and takes this long
TIMEOUT_MS = 20000
RETRIES = 0
BACKOFF_MS = 100
FAIL_PCT = 0       # the API answers 503 to this share


def fnv1a(text):  # the same hash as the playground's model
    h = 2166136261
    for byte in text.encode():
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


def delay_for(i, attempt):  # a hiccup: slow the first time
    slow = SLOW_EVERY and i % SLOW_EVERY == SLOW_EVERY - 1
    return SLOW_MS if slow and attempt == 0 else DELAY_MS


def backoff_s(i, retry):  # doubles each time, plus jitter
    base = BACKOFF_MS * 2 ** (retry - 1)
    jitter = fnv1a(f"backoff-{i}-{retry}") % 1000
    return (base + base * jitter // 1000) / 1000


async def fetch_one(client, i):
    for attempt in range(RETRIES + 1):
        delay = delay_for(i, attempt)
        url = (f"{BASE}/api/delay/{delay}?i={i}"
               f"&status={STATUS}"
               f"&fail={FAIL_PCT}&key={i}-{attempt}")
        try:
            reply = await client.get(url)  #@wait
            if reply.status_code < 500:
                burn(CPU_MS)  #@cpu
                return reply.status_code
        except httpx.TimeoutException:
            pass  # worth another try
        if attempt < RETRIES:
            await asyncio.sleep(backoff_s(i, attempt + 1))  #@backoff
    return None  # gave up


async def fetch_all():
    pool = httpx.Limits(max_connections=N)
    wait = httpx.Timeout(TIMEOUT_MS / 1000)
    async with httpx.AsyncClient(timeout=wait,
                                 limits=pool) as client:
        calls = [fetch_one(client, i) for i in range(N)]
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
    print(f"retries: {N} calls in {took:.3f} s")
