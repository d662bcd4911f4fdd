"""The benchmark desk under gunicorn on loopback, a real login, and the ticket list's two requests.

helpdesk 2.x renders the ticket list as an HTML page whose table is empty; DataTables then asks
`datatables_ticket_list/<base64 query>` for the rows (server-side processing). Both requests are
built here the way the browser builds them: the page first, then the data URL read out of it with the
parameters DataTables sends on first draw (every column, start 0, the page length the page declares,
no ordering, so helpdesk's default order applies).
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.loadgen import free_port, wait_for
from bench.peer_helpdesk import env, load

# The columns of helpdesk/ticket_list.html (2.6), time spent and knowledge base on, as by default.
COLUMNS = [
    "id", "ticket", "priority", "queue", "status", "created", "due_date",
    "assigned_to", "submitter", "last_followup", "time_spent", "kbitem",
]  # fmt: skip
DATA_URL = re.compile(r'"url":\s*"(/datatables_ticket_list/[^"]+)"')
PAGE_LENGTH = re.compile(r"data-page-length='(\d+)'")


@contextmanager
def gunicorn(database: str, *, workers: int, threads: int, log: Path | None = None):
    """Serve the site with the given workers; yield its base URL and the exact command."""
    port = free_port()
    cmd = [
        str(env.VENV / "bin" / "gunicorn"), "wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--log-level", "warning", "--timeout", "120",
    ]  # fmt: skip
    out = open(log, "a") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=load.SITE, env=load.site_env(database), stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/login/", 60)
        yield base, cmd
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if log:
            out.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


def login(base: str, username: str, password: str) -> str:
    """Log in through helpdesk's own login form; return the Cookie header a browser would send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    if not token:
        raise RuntimeError("helpdesk's login page has no CSRF token")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1), "next": ""}
    ).encode()
    opener.open(urllib.request.Request(base + "/login/", data=body), timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"logging in as {username} made no session: check the password and the user")
    return "; ".join(f"{k}={v}" for k, v in sorted(cookies.items()))


def fetch(url: str, cookie: str) -> tuple[int, bytes, float]:
    """GET without following redirects: (status, body, seconds)."""
    opener = urllib.request.build_opener(_NoRedirect)
    t0 = time.monotonic()
    try:
        with opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=120) as r:
            return r.status, r.read(), time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - t0


def datatables_query(page_length: int, *, now_ms: int | None = None) -> str:
    """The query string DataTables 2 sends for the first draw of helpdesk's table."""
    params: list[tuple[str, str]] = [("draw", "1")]
    for i, name in enumerate(COLUMNS):
        params += [
            (f"columns[{i}][data]", name),
            (f"columns[{i}][name]", ""),
            (f"columns[{i}][searchable]", "true"),
            (f"columns[{i}][orderable]", "false" if i == 0 else "true"),
            (f"columns[{i}][search][value]", ""),
            (f"columns[{i}][search][regex]", "false"),
        ]
    params += [
        ("start", "0"),
        ("length", str(page_length)),
        ("search[value]", ""),
        ("search[regex]", "false"),
        ("_", str(now_ms if now_ms is not None else int(time.time() * 1000))),
    ]
    return urllib.parse.urlencode(params)


def open_list(base: str, cookie: str, page_path: str = "/tickets/") -> dict:
    """Open the list as a browser would and check what came back: the page, then its 25 rows."""
    status, body, page_s = fetch(base + page_path, cookie)
    html = body.decode(errors="replace")
    if status != 200 or 'id="ticketTable"' not in html:
        raise RuntimeError(f"the ticket list page answered {status} without its table: set-up is wrong")
    found, length = DATA_URL.search(html), PAGE_LENGTH.search(html)
    if not found or not length:
        raise RuntimeError("the ticket list page names no data URL or page length (another helpdesk?)")
    data_url = f"{base}{found.group(1)}?{datatables_query(int(length.group(1)))}"
    status, body, data_s = fetch(data_url, cookie)
    if status != 200:
        raise RuntimeError(f"the ticket list's data request answered {status}")
    data = json.loads(body)
    return {
        "page_url": base + page_path,
        "data_url": data_url,
        "page_length": int(length.group(1)),
        "page_bytes": len(html.encode()),
        "data_bytes": len(body),
        "rows": data["data"],
        "records_filtered": data["recordsFiltered"],
        "records_total": data["recordsTotal"],
        "first_page_seconds": round(page_s, 3),
        "first_data_seconds": round(data_s, 3),
    }
