"""wrk as the benchmarks' load generator: one call, one dict of figures.

wrk's own report counts only 4xx/5xx as errors, so a page that answers 302 to the login form would
pass for a fast page. A Lua hook counts every answer outside 2xx in each thread and prints the figures
as one JSON line when the run ends; `parse_wrk` reads that line out of wrk's output. A script of the
caller's (its own `request`, `setup`, ...) is kept: the hook is appended to it and calls through.

    .venv/bin/python -m bench.loadgen --selftest
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

MARK = "CG-WRK-JSON "

# Runs after any script of the caller's; each global it adds is prefixed so it cannot clash with one.
HOOK = r"""
cg_non2xx = 0
local cg_threads = {}
local cg_setup, cg_response, cg_done = setup, response, done

function setup(thread)
  table.insert(cg_threads, thread)
  if cg_setup then cg_setup(thread) end
end

function response(status, headers, body)
  if status < 200 or status > 299 then cg_non2xx = cg_non2xx + 1 end
  if cg_response then cg_response(status, headers, body) end
end

function done(summary, latency, requests)
  if cg_done then cg_done(summary, latency, requests) end
  local non2xx = 0
  for _, t in ipairs(cg_threads) do non2xx = non2xx + (t:get("cg_non2xx") or 0) end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"bytes":%d,"non_2xx":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d,"status_4xx_5xx":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    "MARK", summary.requests, summary.duration, summary.bytes, non2xx,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
""".replace('"MARK"', json.dumps(MARK))


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's package when missing and we may install it."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is not installed: apt-get install wrk (as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, capture_output=True).returncode:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, capture_output=True, check=True)
    return shutil.which("wrk") or "wrk"


def parse_wrk(output: str) -> dict:
    """The figures of one run out of wrk's output (the hook's JSON line; wrk's own text is ignored)."""
    line = next((ln for ln in output.splitlines() if ln.startswith(MARK)), None)
    if line is None:
        raise ValueError("no figures in wrk's output:\n" + output[-2000:])
    raw = json.loads(line[len(MARK) :])
    seconds = raw["duration_us"] / 1e6
    socket_errors = {k: raw[k] for k in ("connect", "read", "write", "timeout")}
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 2) if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "mean_ms": round(raw["mean_us"] / 1000, 3),
        "max_ms": raw["max_us"] / 1000,
        "non_2xx": raw["non_2xx"],
        "socket_errors": sum(socket_errors.values()),
        "socket_error_detail": socket_errors,
        "errors": raw["non_2xx"] + sum(socket_errors.values()),
        "bytes": raw["bytes"],
    }


def run_wrk(
    url: str,
    *,
    headers: dict | None = None,
    seconds: int = 20,
    connections: int = 8,
    threads: int = 2,
    script: Path | str | None = None,
    timeout: int = 60,
) -> dict:
    """Load `url` for `seconds` and return requests/s, latency percentiles (ms) and every error.

    `timeout` is wrk's per-request limit: an answer slower than that is an error, not a latency, so it
    is set far above what any page here should take (wrk's default of 2 s would hide a slow peer).
    """
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="cg-wrk-") as tmp:
        lua = Path(tmp) / "figures.lua"
        caller = Path(script).read_text() if script else ""
        lua.write_text(caller + "\n" + HOOK)
        cmd = [
            wrk, "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
            "--timeout", f"{timeout}s", "-s", str(lua),
        ]  # fmt: skip
        for name, value in (headers or {}).items():
            cmd += ["-H", f"{name}: {value}"]
        done = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + timeout + 60)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-1000:]}")
    figures = parse_wrk(done.stdout)
    figures.update(url=url, connections=connections, threads=threads)
    return figures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    """Return once anything answers HTTP at `url` (any status: a 302 or 404 still means it is up)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 - our own server on loopback
            return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing answered at {url} within {seconds:g} s") from None
            time.sleep(0.2)


# Captured from wrk 4.1.0 (Debian) with the hook, against the self-check's server without its cookie:
# every answer was a 302, and wrk's own text says nothing about it.
SAMPLE = """Running 1s test @ http://127.0.0.1:43703/ok
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.39ms    1.39ms   9.41ms   84.94%
    Req/Sec     1.78k   387.46     2.52k    60.00%
  Latency Distribution
     50%  775.00us
     75%    1.77ms
     90%    3.51ms
     99%    6.10ms
  1767 requests in 1.00s, 232.95KB read
Requests/sec:   1764.85
Transfer/sec:    232.67KB
CG-WRK-JSON {"requests":1767,"duration_us":1001221,"bytes":238545,"non_2xx":1767,"connect":0,"read":0,\
"write":0,"timeout":0,"status_4xx_5xx":0,"p50_us":775,"p90_us":3512,"p99_us":6103,"mean_us":1386.5,\
"max_us":9407}
""".replace("\\\n", "")


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # wrk drops its connections mid-request when the run ends


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        ok = self.path == "/ok" and self.headers.get("Cookie") == "s=1"
        self.send_response(200 if ok else 302)
        if not ok:
            self.send_header("Location", "/login/")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def selftest() -> None:
    figures = parse_wrk(SAMPLE)
    assert figures["requests"] == 1767 and figures["non_2xx"] == 1767 and figures["errors"] == 1767, figures
    assert abs(figures["rps"] - 1764.84) < 0.01 and figures["p99_ms"] == 6.103, figures
    assert figures["p50_ms"] == 0.775 and figures["socket_errors"] == 0, figures
    try:
        parse_wrk("Running 2s test\n  0 requests in 2.00s\n")
    except ValueError:
        pass
    else:
        raise AssertionError("output without figures must not parse")
    # A real run against a loopback server: the cookie reaches it, and a redirect counts as an error.
    server = _Server(("127.0.0.1", free_port()), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        wait_for(base + "/ok", 5)
        good = run_wrk(base + "/ok", headers={"Cookie": "s=1"}, seconds=1, connections=2, threads=1)
        bad = run_wrk(base + "/ok", seconds=1, connections=2, threads=1)
    finally:
        server.shutdown()
    assert good["requests"] > 0 and good["errors"] == 0, good
    assert bad["requests"] > 0 and bad["non_2xx"] == bad["requests"], bad
    print(f"loadgen self-check passed: {good['rps']:.0f} req/s clean, {bad['non_2xx']} redirects counted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selftest", action="store_true", help="check the parser and a real wrk run")
    parser.add_argument("url", nargs="?")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("-H", "--header", action="append", default=[], help='"Name: value"')
    args = parser.parse_args()
    if args.selftest:
        selftest()
        return
    if not args.url:
        parser.error("a URL, or --selftest")
    headers = dict(h.split(":", 1) for h in args.header)
    print(json.dumps(run_wrk(args.url, headers={k: v.strip() for k, v in headers.items()},
                             seconds=args.seconds, connections=args.connections), indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
