"""Kill the app server with SIGKILL while it takes ratings; check nothing acknowledged is lost.

    .venv/bin/python bench/kill_ratings.py                     # fresh temporary SQLite file
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu_ratings \\
        .venv/bin/python bench/kill_ratings.py                 # PostgreSQL (flushed first)

Gunicorn (2 sync workers, production settings) takes POST /api/v1/ratings from
`--threads` client threads, each behaving like a phone: it sends a rating with a
fresh submission id and, when the connection fails, sends *the same request
again* (same submission id) until it gets an answer. Every `--every` seconds
the master and both workers get SIGKILL at once, mid-request; the server is
started again on the same port. After `--kills` kills the clients stop and
the script checks, by submission id:

- every rating that got a 201 is in the database;
- no submission id is stored twice, and nothing was stored that no client sent;
- the rollups (written in each rating's transaction) equal `rollups.rebuild()`;
- SQLite: `PRAGMA integrity_check` is "ok".

It prints the result and merges it into bench/results/kill_ratings.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter as Tally
from pathlib import Path
from typing import Any

from http_bench import free_port
from rating_load import RatingSpec
from rating_scale import ensure_scales, rollup_snapshot
from scale import ROOT, build_scale, refuse_shared_database, setup_django

RESULTS = Path(__file__).resolve().parent / "results" / "kill_ratings.json"


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; ppid follows it.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def ask(port: int, data: bytes) -> int:
    """Send one request; its status, or -1 when the connection failed."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(data)
            first = sock.recv(65536)
            chunk = first
            while chunk:
                chunk = sock.recv(65536)
    except OSError:
        return -1
    return int(first[9:12]) if first.startswith(b"HTTP/1.") else -1


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "critical",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        probe = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        for _ in range(300):
            if ask(self.port, probe) == 200 and len(children_of(self.process.pid)) >= 2:
                return
            time.sleep(0.05)
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> list[int]:
        """SIGKILL the master and its workers at once; returns the pids killed."""
        assert self.process is not None
        pids = [self.process.pid, *children_of(self.process.pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        for pid in pids[1:]:  # orphaned workers: wait until they are gone
            while Path(f"/proc/{pid}").exists() and "Z" not in _state(pid):
                time.sleep(0.01)
        return pids

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


class Phone(threading.Thread):
    """Sends ratings; resends the same one (same submission id) until it gets an answer."""

    def __init__(self, number: int, port: int, spec: RatingSpec, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.number, self.port, self.spec, self.stop = number, port, spec, stop
        self.answers: dict[str, int] = {}  # submission id -> final status
        self.sent: set[str] = set()
        self.failures = 0  # connection failures (then resent)
        self.resent_ok = 0  # resends that finally got a 201

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            data, key = self.spec.build(self.number, n)
            n += 1
            self.sent.add(key)
            tries = 0
            while True:
                status = ask(self.port, data)
                if status != -1:
                    break
                self.failures += 1
                tries += 1
                time.sleep(0.05)
            self.answers[key] = status
            if tries and status == 201:
                self.resent_ok += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--every", type=float, default=4.0, help="seconds between kills")
    args = parser.parse_args()
    refuse_shared_database()

    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    database = setup_django("kill")
    from django.db import connection

    from congvu.feedback import rollups, services
    from congvu.feedback.models import Rating
    from congvu.organisations.models import StaffMember

    build_scale(200, 4000, catalogue=True)
    ensure_scales()
    members = list(
        StaffMember.objects.filter(is_active=True, user__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    target = services.RatingTarget(Rating.Channel.BADGE, members[0].organisation, staff=members[0])
    criteria = [(c.clause_id, c.yes_is_breach) for c in services.criteria_for(target)]
    # Each device sends 5 ratings; a resent rating is the same device and staff member.
    spec = RatingSpec(tokens=[m.badge_token for m in members], criteria=criteria, per_device=5)
    connection.close()

    server = Server(free_port())
    server.start()
    stop = threading.Event()
    phones = [Phone(n, server.port, spec, stop) for n in range(args.threads)]
    for phone in phones:
        phone.start()
    killed: list[list[int]] = []
    downtime = []
    try:
        for _ in range(args.kills):
            time.sleep(args.every)
            killed.append(server.kill())
            began = time.perf_counter()
            server.start()
            downtime.append(round(time.perf_counter() - began, 2))
        time.sleep(args.every)
    finally:
        stop.set()
        for phone in phones:
            phone.join(timeout=60)
        server.stop()

    answers: dict[str, int] = {}
    sent: set[str] = set()
    for phone in phones:
        answers.update(phone.answers)
        sent |= phone.sent
    acknowledged = [key for key, status in answers.items() if status == 201]
    stored = Tally(
        str(value)
        for value in Rating.objects.filter(submission_id__isnull=False).values_list(
            "submission_id", flat=True
        )
    )
    missing = [key for key in acknowledged if stored[key] == 0]
    twice = [key for key, n in stored.items() if n > 1]
    unknown = [key for key in stored if key not in sent]
    live = rollup_snapshot()
    rollups.rebuild()
    rollups_ok = live == rollup_snapshot()
    integrity = "n/a"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            integrity = cursor.fetchone()[0]
    result: dict[str, Any] = {
        "database": database,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "kills": len(killed),
        "processes_killed": sum(len(p) for p in killed),
        "restart_seconds": downtime,
        "ratings_sent": len(sent),
        "acknowledged_201": len(acknowledged),
        "other_statuses": dict(Tally(s for s in answers.values() if s != 201)),
        "connection_failures_then_resent": sum(p.failures for p in phones),
        "resent_then_201": sum(p.resent_ok for p in phones),
        "stored": sum(stored.values()),
        "acknowledged_missing": len(missing),
        "stored_twice": len(twice),
        "stored_but_never_sent": len(unknown),
        "rollups_equal_rebuild": rollups_ok,
        "sqlite_integrity_check": integrity,
    }
    result["ok"] = (
        not missing and not twice and not unknown and rollups_ok and integrity in {"ok", "n/a"}
    )
    for key, value in result.items():
        print(f"{key:34} {value}")
    print("RESULT:", "every acknowledged rating stored once" if result["ok"] else "FAILED")
    vendor = database.split(" ")[0]
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[vendor] = result
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    print(f"saved to {RESULTS}")
    if not result["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
