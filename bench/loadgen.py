"""A small closed-loop HTTP load generator: C client threads with keep-alive connections send N
requests in all to one URL of a server on this machine; latencies as measured by the client."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    url: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))
        return ordered[k]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load(
    url: str,
    *,
    requests: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
    warmup: int = 10,
    timeout: float = 30.0,
) -> LoadResult:
    parts = urlsplit(url)
    assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "load only a server on this machine"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = dict(headers or {})
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    remaining = requests

    def one(conn: http.client.HTTPConnection) -> tuple[float, int]:
        start = time.perf_counter()
        conn.request("GET", target, headers=headers)
        response = conn.getresponse()
        response.read()
        return (time.perf_counter() - start) * 1000, response.status

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    warm = connect()
    for _ in range(warmup):
        _ms, status = one(warm)
        if status != 200:
            raise RuntimeError(f"{url} answered {status} during warm-up")
    warm.close()

    def worker() -> None:
        nonlocal remaining, errors
        conn = connect()
        while True:
            with lock:
                if remaining <= 0:
                    break
                remaining -= 1
            try:
                ms, status = one(conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = connect()
                with lock:
                    errors += 1
                continue
            with lock:
                if status == 200:
                    latencies.append(ms)
                else:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadResult(url, requests, errors, time.perf_counter() - start, latencies)
