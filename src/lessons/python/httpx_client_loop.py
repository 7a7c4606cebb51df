# httpx used like requests: a synchronous Client in a loop.
# Same interface, same timing: one call at a time.
# Try it against the dev server (tools/serve):
#   python3 httpx_client_loop.py [BASE N DELAY_MS]
import sys
import time

import httpx

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500
STATUS = 200       # the HTTP status the API is asked for
CPU_MS = 0         # work done on each answer, in ms of CPU


def fetch_all(client):
    bodies = []
    for i in range(N):
        url = (f"{BASE}/api/delay/{DELAY_MS}"
               f"?i={i}&status={STATUS}")
        # Client.get blocks exactly like requests.get.
        reply = client.get(url)  #@wait
        bodies.append(reply.json())
        burn(CPU_MS)  #@cpu
    return bodies  # total: N x (DELAY_MS + CPU_MS), as before


def burn(ms):  # stands in for parsing, maths, resizing...
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


if __name__ == "__main__":
    if len(sys.argv) > 3:
        BASE = sys.argv[1]
        N, DELAY_MS = int(sys.argv[2]), int(sys.argv[3])
    t0 = time.perf_counter()
    with httpx.Client(timeout=20) as client:
        fetch_all(client)
    took = time.perf_counter() - t0
    print(f"sync_client: {N} calls in {took:.3f} s")
