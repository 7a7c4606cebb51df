# One call at a time: requests in a plain for loop.
# Run it against the playground's dev server:  python3 sequential.py [BASE] [N] [DELAY_MS]
import sys
import time

import requests

BASE = "http://127.0.0.1:8000"
N = 50
DELAY_MS = 500


def fetch_all(session):
    bodies = []
    for i in range(N):
        # get() returns only once the whole answer is here, so the loop
        # stands still for DELAY_MS on every pass: total = N x DELAY_MS.
        reply = session.get(f"{BASE}/api/delay/{DELAY_MS}?i={i}", timeout=20)
        bodies.append(reply.json())
    return bodies


if __name__ == "__main__":
    if len(sys.argv) > 3:
        BASE, N, DELAY_MS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    t0 = time.perf_counter()
    with requests.Session() as session:
        fetch_all(session)
    print(f"sequential: {N} calls in {time.perf_counter() - t0:.3f} s")
