"""The same loads as `rating_load`, sent by wrk (Debian's `wrk` package, written in C).

The Python client costs about a third of this 2-core machine at these rates,
CPU the server then does not get; wrk costs a few percent. The trivial view
and the rating submissions are measured with the same client in one run, so
either client gives a fair ratio; wrk gives the higher absolute numbers.

    result = run_wrk(port, spec, seconds=10, connections=8)

A `RatingSpec` becomes a Lua script that builds the same requests as
`RatingSpec.build` (tokens, levels, answers, a device per ten ratings, a fresh
submission id each). wrk does not say which request got which response, so a
result has counts per status but no keys: `check_counts` compares the number of
201s with the number of ratings stored instead (wrk stops with up to
`connections` requests in flight, which may be stored without being counted).
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

from rating_load import LoadResult, RatingSpec, RequestSpec

_LUA = r"""
local counter = 0
local threads = {}
local next_thread = 0
statuses = {}

function setup(thread)
  thread:set("id", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local levels = {1, 1, 1, 2, 2, 2, 2, 3, 4, 5}

request = function()
  counter = counter + 1
  local n = counter
  local mix = (n * 2654435761 + id * 40503) % 4294967296
  local token = tokens[(id * 7919 + n * 104729) % #tokens + 1]
  local parts = {}
  for k, c in ipairs(criteria) do
    local roll = math.floor(mix / (8 ^ (k - 1))) % 16
    local answer
    if roll == 15 then answer = "unknown"
    elseif (roll >= 2) ~= c[2] then answer = "yes"
    else answer = "no" end
    parts[#parts + 1] = '"' .. c[1] .. '":"' .. answer .. '"'
  end
  local comment = ""
  if mix % 20 == 0 then comment = "Cán bộ hướng dẫn tận tình." end
  local submission = string.format("%08x-%04x-4%03x-8%03x-%012x", run, id, n % 4096,
    math.floor(n / 4096) % 4096, n)
  local body = '{"channel":"badge","token":"' .. token .. '","level":' .. levels[mix % 10 + 1]
    .. ',"answers":{' .. table.concat(parts, ",") .. '},"comment":"' .. comment
    .. '","submission_id":"' .. submission .. '"}'
  local device = "Mozilla/5.0 (Linux; Android 13; wrk-" .. run .. "-" .. id .. "-"
    .. math.floor(n / per_device) .. ")"
  -- Each device on a network of its own, as citizens' phones are: the per-address limit
  -- (60 an hour from one address) is not what is measured either.
  local d = math.floor(n / per_device)
  local address = "10." .. ((run + id) % 250) .. "." .. (math.floor(d / 250) % 250) .. "."
    .. (d % 250 + 1)
  return wrk.format("POST", nil,
    {["Content-Type"] = "application/json", ["User-Agent"] = device,
     ["X-Forwarded-For"] = address}, body)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("STATUS %d %d\n", status, count))
  end
  io.write(string.format("P50 %d\nP99 %d\n", latency:percentile(50), latency:percentile(99)))
end
"""

_TRIVIAL_LUA = r"""
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\nP99 %d\n", latency:percentile(50), latency:percentile(99)))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def _script(spec: RequestSpec, folder: Path) -> Path:
    path = folder / "load.lua"
    if isinstance(spec, RatingSpec):
        tokens = ",".join(json.dumps(t) for t in spec.tokens)
        criteria = ",".join(
            f"{{{clause},{'true' if yes_is_breach else 'false'}}}"
            for clause, yes_is_breach in spec.criteria
        )
        head = (
            f"tokens = {{{tokens}}}\ncriteria = {{{criteria}}}\n"
            f"per_device = {spec.per_device}\nrun = {spec.offset}\n"
        )
        path.write_text(head + _LUA)
    else:
        path.write_text(_TRIVIAL_LUA)
    return path


def run_wrk(
    port: int,
    spec: RequestSpec,
    *,
    seconds: float = 10.0,
    connections: int = 8,
    threads: int = 2,
    ok: int = 200,
) -> LoadResult:
    """wrk against `spec.path` for `seconds` with `connections` in flight."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="congvu-wrk-") as folder:
        script = _script(spec, Path(folder))
        completed = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "-s",
                str(script),
                f"http://{spec.host}:{port}{spec.path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = completed.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    elapsed = re.search(r"requests in ([\d.]+)(m?s)", out)
    assert elapsed, out
    took = float(elapsed.group(1)) / (1000 if elapsed.group(2) == "ms" else 1)
    statuses = {int(s): int(c) for s, c in re.findall(r"STATUS (\d+) (\d+)", out)}
    if not statuses:  # the trivial script does not count statuses: wrk's own tally
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        bad = int(non_2xx.group(1)) if non_2xx else 0
        statuses = {ok: requests - bad, **({0: bad} if bad else {})}
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = sum(int(n) for n in socket.groups()) if socket else 0
    p50 = int(re.search(r"P50 (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    p99 = int(re.search(r"P99 (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    errors = socket_errors + sum(c for s, c in statuses.items() if s != ok)
    return LoadResult(
        seconds=took,
        requests=requests,
        per_second=requests / took,
        median_ms=p50,
        p99_ms=p99,
        statuses=statuses,
        keys_by_status={},
        errors=errors,
        client_cpu_seconds=cpu,
    )
