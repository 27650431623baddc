"""What the benchmark reads from ``/metrics``: the lateness histogram and counter totals.

Read with regular expressions over the raw bytes rather than a full parser: at 10,000
series the exposition is over 50 MB, and only a few families matter here.
"""

from __future__ import annotations

import gzip
import http.client
import re
import time
from dataclasses import dataclass

LATENESS = "lifesize_probe_scheduler_lateness_seconds"
_BUCKET = re.compile(rb'^' + LATENESS.encode() + rb'_bucket\{le="([^"]+)"\} (\S+)$', re.M)
_COUNT = re.compile(rb'^' + LATENESS.encode() + rb'_count (\S+)$', re.M)


@dataclass(frozen=True, slots=True)
class Buckets:
    """A cumulative histogram: finite upper bounds, counts per bound, total count."""

    bounds: tuple[float, ...]
    counts: tuple[float, ...]
    count: float

    def minus(self, earlier: Buckets) -> Buckets:
        counts = tuple(a - b for a, b in zip(self.counts, earlier.counts, strict=True))
        return Buckets(self.bounds, counts, self.count - earlier.count)

    def quantile(self, q: float) -> tuple[float, float, float]:
        """``histogram_quantile``: (estimate, lower bound, upper bound) of its bucket.

        Linear inside the bucket, as Prometheus does; above the last finite bound the
        estimate is that bound and the upper bound is infinite.
        """
        if self.count <= 0:
            return float("nan"), float("nan"), float("nan")
        rank, lower, below = q * self.count, 0.0, 0.0
        for bound, cumulative in zip(self.bounds, self.counts, strict=True):
            if cumulative >= rank:
                inside = cumulative - below
                share = (rank - below) / inside if inside else 1.0
                return lower + (bound - lower) * share, lower, bound
            lower, below = bound, cumulative
        return lower, lower, float("inf")

    def share_at_most(self, bound: float) -> float:
        """Fraction of observations in buckets up to ``bound`` (an exact bucket bound)."""
        index = self.bounds.index(bound)
        return self.counts[index] / self.count if self.count else float("nan")


def lateness(text: bytes) -> Buckets:
    pairs = [(float(le), float(n)) for le, n in _BUCKET.findall(text) if le != b"+Inf"]
    count = _COUNT.search(text)
    return Buckets(tuple(b for b, _ in pairs), tuple(n for _, n in pairs),
                   float(count.group(1)) if count else 0.0)


def total(text: bytes, name: str) -> float:
    """The sum of every series of counter ``name`` (``_total`` included in ``name``)."""
    pattern = re.compile(rb"^" + re.escape(name.encode()) + rb"(?:\{[^}]*\})? (\S+)$", re.M)
    return sum(float(value) for value in pattern.findall(text))


class Scraper:
    """Times ``GET /metrics`` on a fresh connection, as Prometheus does every 15 s or more
    (longer than uvicorn's 5 s keep-alive, so its connections never stay open between),
    asking for gzip as Prometheus does; the body is returned decompressed."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port

    def scrape(self) -> tuple[float, bytes, int]:
        """Seconds from connecting to the last byte of the body, the body (decompressed)
        and its size on the wire."""
        conn = http.client.HTTPConnection(self._host, self._port, timeout=300)
        began = time.perf_counter()
        try:
            conn.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
            answer = conn.getresponse()
            body = answer.read()
        finally:
            conn.close()
        elapsed = time.perf_counter() - began
        if answer.status != 200:
            raise RuntimeError(f"/metrics answered {answer.status}")
        if answer.getheader("Content-Encoding") == "gzip":
            return elapsed, gzip.decompress(body), len(body)
        return elapsed, body, len(body)
