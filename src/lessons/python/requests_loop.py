# One call at a time: requests in a plain for loop.
# Try it against the dev server (tools/serve):
#   python3 requests_loop.py [BASE N DELAY_MS]
import sys
import time

import requests

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
STATUS = 200       # the HTTP status the API is asked for
CPU_MS = 0         # work done on each answer, in ms of CPU


def fetch_all(session):
    bodies = []
    for i in range(N):
        url = (f"{BASE}/api/delay/{DELAY_MS}"
               f"?i={i}&status={STATUS}")
        # get() returns only when the whole answer is in,
        # so the loop stands still DELAY_MS on every pass.
        reply = session.get(url, timeout=20)  #@wait
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
    with requests.Session() as session:
        fetch_all(session)
    took = time.perf_counter() - t0
    print(f"sequential: {N} calls in {took:.3f} s")
