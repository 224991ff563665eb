"""A small, fast HTTP load generator for the ratings benchmarks (no third-party client).

Gunicorn's sync workers close the connection after every response, so each
request is one short TCP connection: connect, send pre-built bytes, read to
EOF. That loop costs the client ~50 µs of Python per request, so a few
processes with a few threads each keep `connections` requests in flight and
stay far below the server's cost (checked by measuring the trivial view in the
same run: the client must reach its ~3,500 requests/s).

    result = run_load(port, spec, seconds=30, connections=8, processes=2)

`spec` is a `RequestSpec`: it builds the bytes of request number `n` of thread
`thread` (different tokens, devices and submission ids for every request) and
is sent to the client processes by fork.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

_CONTEXT = multiprocessing.get_context("fork")


def address(thread: int, device: int) -> str:
    """The device's network address (sent as X-Forwarded-For, which the server trusts in
    the benchmarks as behind its proxy): each device on a network of its own, as citizens'
    phones are, so the per-address limit (60 ratings an hour) is not what is measured."""
    return f"10.{thread % 250}.{(device // 250) % 250}.{device % 250 + 1}"


@dataclass
class RequestSpec:
    """GET `path` (the trivial view) unless a subclass builds something else."""

    path: str = "/healthz"
    host: str = "127.0.0.1"

    def build(self, thread: int, n: int) -> tuple[bytes, str]:
        """The request's bytes and a key to remember it by (e.g. its submission id)."""
        return (
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nConnection: close\r\n\r\n".encode(),
            "",
        )


@dataclass
class RatingSpec(RequestSpec):
    """POST /api/v1/ratings as many citizens: each device rates a few staff and moves on.

    `tokens` are badge tokens; `criteria` is [(clause id, yes_is_breach)]. Every
    request gets a fresh submission id (its key) and a device (user agent) that
    sends at most `per_device` ratings, each of a different staff member, so the
    per-device limits (30 an hour, 3 per staff member) are never what is measured.
    """

    path: str = "/api/v1/ratings"
    tokens: list[str] = field(default_factory=list)
    criteria: list[tuple[int, bool]] = field(default_factory=list)
    per_device: int = 10
    offset: int = 0  # added to the thread number: several runs never share a device

    def build(self, thread: int, n: int) -> tuple[bytes, str]:
        # A cheap deterministic mix: level and answers look like real ratings (mostly
        # satisfied, behaviours mostly kept, some "don't remember").
        mix = (n * 2654435761 + thread * 40503) & 0xFFFFFFFF
        level = (1, 1, 1, 2, 2, 2, 2, 3, 4, 5)[mix % 10]
        answers = {}
        for k, (clause, yes_is_breach) in enumerate(self.criteria):
            roll = (mix >> (k * 3)) & 15
            kept = roll >= 2
            if roll == 15:
                answers[str(clause)] = "unknown"
            else:
                answers[str(clause)] = "yes" if kept != yes_is_breach else "no"
        submission = str(uuid.uuid4())
        token = self.tokens[(thread * 7919 + n * 104729) % len(self.tokens)]
        body = json.dumps(
            {
                "channel": "badge",
                "token": token,
                "level": level,
                "answers": answers,
                "comment": "Cán bộ hướng dẫn tận tình." if mix % 20 == 0 else "",
                "submission_id": submission,
            },
            ensure_ascii=False,
        ).encode()
        device = (
            f"Mozilla/5.0 (Linux; Android 13; bench-{self.offset + thread}-{n // self.per_device})"
        )
        network = address(self.offset + thread, n // self.per_device)
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\nConnection: close\r\n"
            f"User-Agent: {device}\r\nX-Forwarded-For: {network}\r\n"
            f"Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        return head + body, submission


@dataclass
class FormSpec(RatingSpec):
    """POST the HTML rating form of a badge (`/r/<token>`), as a browser without JS does.

    `csrf` is (cookie value, form token) fetched once; `fields` maps the form's
    field names: level, answer prefix, submission id.
    """

    csrf: tuple[str, str] = ("", "")
    form_fields: dict[str, str] = field(default_factory=dict)

    def build(self, thread: int, n: int) -> tuple[bytes, str]:
        from urllib.parse import urlencode

        mix = (n * 2654435761 + thread * 40503) & 0xFFFFFFFF
        level = (1, 1, 1, 2, 2, 2, 2, 3, 4, 5)[mix % 10]
        submission = str(uuid.uuid4())
        data = {
            "csrfmiddlewaretoken": self.csrf[1],
            self.form_fields.get("level", "level"): str(level),
            self.form_fields.get("submission", "submission_id"): submission,
        }
        prefix = self.form_fields.get("answer_prefix", "c")
        for k, (clause, yes_is_breach) in enumerate(self.criteria):
            roll = (mix >> (k * 3)) & 15
            kept = roll >= 2
            data[f"{prefix}{clause}"] = (
                "unknown" if roll == 15 else ("yes" if kept != yes_is_breach else "no")
            )
        body = urlencode(data).encode()
        token = self.tokens[(thread * 7919 + n * 104729) % len(self.tokens)]
        device = (
            f"Mozilla/5.0 (Linux; Android 13; form-{self.offset + thread}-{n // self.per_device})"
        )
        network = address(self.offset + thread, n // self.per_device)
        head = (
            f"POST /r/{token} HTTP/1.1\r\nHost: {self.host}\r\nConnection: close\r\n"
            f"User-Agent: {device}\r\nX-Forwarded-For: {network}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Cookie: csrftoken={self.csrf[0]}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        return head + body, submission


@dataclass
class LoadResult:
    seconds: float
    requests: int
    per_second: float
    median_ms: float
    p99_ms: float
    statuses: dict[int, int]
    keys_by_status: dict[int, list[str]]
    errors: int  # connection errors and statuses other than `ok`
    client_cpu_seconds: float

    def summary(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "per_second": round(self.per_second),
            "median_ms": round(self.median_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": self.errors,
            "client_cpu_share": round(self.client_cpu_seconds / self.seconds, 2),
        }


def _thread(
    port: int,
    spec: RequestSpec,
    thread: int,
    deadline: float,
    out: list[tuple[float, float, int, str]],
) -> None:
    n = 0
    address = ("127.0.0.1", port)
    while True:
        data, key = spec.build(thread, n)
        n += 1
        begun = time.perf_counter()
        if begun >= deadline:
            return
        status = 0
        try:
            with socket.create_connection(address, timeout=30) as sock:
                sock.sendall(data)
                first = sock.recv(65536)
                chunk = first
                while chunk:
                    chunk = sock.recv(65536)
            status = int(first[9:12]) if first.startswith(b"HTTP/1.") else -1
        except OSError:
            status = -1
        out.append((begun, time.perf_counter() - begun, status, key))


def _process(
    port: int,
    spec: RequestSpec,
    first_thread: int,
    threads: int,
    start: float,
    seconds: float,
    pipe: Any,
) -> None:
    deadline = start + seconds
    outs: list[list[tuple[float, float, int, str]]] = [[] for _ in range(threads)]
    while time.perf_counter() < start:
        time.sleep(0.001)
    workers = [
        threading.Thread(target=_thread, args=(port, spec, first_thread + t, deadline, outs[t]))
        for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    cpu = os.times()
    pipe.send(([row for out in outs for row in out], cpu.user + cpu.system))
    pipe.close()


def run_load(
    port: int,
    spec: RequestSpec,
    *,
    seconds: float = 30.0,
    connections: int = 8,
    processes: int = 2,
    ok: int = 200,
    warmup: float = 2.0,
) -> LoadResult:
    """Keep `connections` requests in flight for `seconds`; rates and latencies exclude
    the first `warmup` seconds (every request counts for statuses and keys)."""
    per_process = [
        connections // processes + (p < connections % processes) for p in range(processes)
    ]
    start = time.perf_counter() + 0.5
    children = []
    first = 0
    for threads in per_process:
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        child = _CONTEXT.Process(
            target=_process, args=(port, spec, first, threads, start, seconds, sender)
        )
        child.start()
        children.append((child, receiver))
        first += threads
    rows: list[tuple[float, float, int, str]] = []
    cpu = 0.0
    for child, receiver in children:
        got, used = receiver.recv()
        rows.extend(got)
        cpu += used
        child.join()
    statuses: dict[int, int] = {}
    keys: dict[int, list[str]] = {}
    for _begun, _latency, status, key in rows:
        statuses[status] = statuses.get(status, 0) + 1
        if key:
            keys.setdefault(status, []).append(key)
    steady = [latency for begun, latency, _s, _k in rows if begun >= start + warmup]
    window = seconds - warmup
    latencies = sorted(steady) or [0.0]
    return LoadResult(
        seconds=seconds,
        requests=len(rows),
        per_second=len(steady) / window if window > 0 else 0.0,
        median_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))] * 1000,
        statuses=statuses,
        keys_by_status=keys,
        errors=sum(count for status, count in statuses.items() if status != ok),
        client_cpu_seconds=cpu,
    )
