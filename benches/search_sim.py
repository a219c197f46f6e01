#!/usr/bin/env python3
"""How often a saturation search of an ideal M/M/c queue lands within 8% of its limit.

The search headroom runs (levels doubling from FROM, then bisecting to 5%), each level
one hold of HOLD seconds from an empty queue: Poisson arrivals, exponential service,
FIFO, the p99 of the responses completed within the hold against the objective. The
limit is the highest rate whose steady-state M/M/c p99 meets it (Erlang C). This is the
truth tests/search.rs needs: how often an exact generator and target would pass it.
Usage: benches/search_sim.py C MU OBJECTIVE_MS FROM HOLD_S [SEARCHES]
  benches/search_sim.py 4 100 100 100 5     # the M/M/4 test of before: within 8% 85%
  benches/search_sim.py 16 100 60 200 5     # tests/search.rs now: within 8% 99%
"""
import heapq, math, random, sys
from collections import Counter


def erlang_c(c, a):
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (below + top)


def mmc_p99_ms(lam, mu, c):
    """Steady-state p99 response time: P(T > t) for M/M/c, solved for 1% by bisection."""
    wait_c, d = erlang_c(c, lam / mu), c * mu - lam - mu
    def tail(t):
        if abs(d) < 1e-9:
            return math.exp(-mu * t) * (1 + wait_c * mu * t)
        return math.exp(-mu * t) + wait_c * mu / d * (math.exp(-mu * t) - math.exp(-(mu + d) * t))
    lo, hi = 0.0, 60.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if tail(mid) > 0.01 else (lo, mid)
    return lo * 1e3


def limit(mu, c, objective_ms):
    lo, hi = 1.0, c * mu * 0.999
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mmc_p99_ms(mid, mu, c) <= objective_ms else (lo, mid)
    return lo


def hold_p99_ms(lam, mu, c, hold):
    t, free, response = 0.0, [0.0] * c, []
    while True:
        t += random.expovariate(lam)
        if t >= hold:
            break
        end = max(t, heapq.heappop(free)) + random.expovariate(mu)
        heapq.heappush(free, end)
        if end < hold:
            response.append(end - t)
    response.sort()
    return response[min(len(response) - 1, int(0.99 * len(response)))] * 1e3


def search(start, mu, c, objective_ms, hold, precision=0.05):
    level, passing, failing = start, None, None
    while True:
        if hold_p99_ms(level, mu, c, hold) <= objective_ms:
            passing = max(passing or level, level)
        else:
            failing = min(failing or level, level)
        if failing is None:
            if level >= 20 * start:
                return passing
            level = round(min(level * 2, 20 * start), 1)
            continue
        if passing is None:
            return None
        mid = round((passing + failing) / 2, 1)
        if failing / passing - 1 <= precision or mid <= passing or mid >= failing:
            return passing
        level = mid


if __name__ == "__main__":
    c, mu, objective, start, hold = int(sys.argv[1]), *map(float, sys.argv[2:6])
    n = int(sys.argv[6]) if len(sys.argv) > 6 else 200
    random.seed(1)
    truth = limit(mu, c, objective)
    found = [search(start, mu, c, objective, hold) for _ in range(n)]
    within = sum(1 for f in found if f and abs(f / truth - 1) <= 0.08) / n
    print(f"limit {truth:.1f}/s ({truth / (c * mu):.1%} busy); within 8%: {within:.1%} of {n} searches")
    print("found:", sorted(Counter(found).items(), key=lambda kv: kv[0] or 0))
