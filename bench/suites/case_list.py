"""A town officer's scoped, filtered case register (25 rows) against a bare "hello world" view.

Both are served by one gunicorn with the same workers, loaded by wrk in the same run, so the ratio
holds on a noisy machine. The queries of one page are captured in-process: their number, and whether
any of them counts rows without a bound. The CPU time of one request is measured in-process too
(the least of five rounds, which other load on the machine inflates least), for the three paths.
"""

from __future__ import annotations

import io
import re
import time
import urllib.request

from bench.loadgen import run_wrk
from bench.server import gunicorn, session_cookie

OFFICER = "town_officer"
UNBOUNDED_COUNT = re.compile(r"COUNT\(\*\)(?!.*LIMIT)", re.IGNORECASE | re.DOTALL)


def _path() -> str:
    from civicgrid.cases.models import Case

    # The busiest category (the generator skews the mix): the filter that still leaves the most rows.
    category = (
        Case.objects.order_by("category_id").values_list("category__code", flat=True).first() or "sanitation"
    )
    return f"/cases/list/?state=closed&category={category}"


def page_queries(path: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=OFFICER))
    client.get(path)  # the first request warms the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    sqls = [q["sql"] for q in captured.captured_queries]
    return {
        "status": response.status_code,
        "rows": response.content.decode().count('class="case-row'),
        "queries": len(sqls),
        "unbounded_counts": [s[:200] for s in sqls if UNBOUNDED_COUNT.search(s)],
    }


def cpu_ms(path: str, cookie: str, *, rounds: int = 5, per_round: int = 20) -> float:
    """CPU milliseconds of this process per request of `path`, through the WSGI handler (no server)."""
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    route, _, query = path.partition("?")

    def once() -> None:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query, "HTTP_COOKIE": cookie,
            "HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
            "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
        }  # fmt: skip
        status = []
        b"".join(app(environ, lambda s, h: status.append(s)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"{path} answered {status[0]}")

    once()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(per_round):
            once()
        best = min(best, (time.process_time() - start) / per_round * 1000)
    return round(best, 2)


def run(ctx) -> dict:
    path = _path()
    cookie = session_cookie(OFFICER)
    result = {"path": path, "workers": ctx.workers, **page_queries(path)}
    result["cpu_ms"] = {
        "hello": cpu_ms("/bench/hello", cookie),
        "hello_user": cpu_ms("/bench/hello-user", cookie),
        "list": cpu_ms(path, cookie),
    }
    with gunicorn(ctx.env, workers=ctx.workers, log=ctx.log) as (base, _proc):
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read().decode()
        if 'class="case-row' not in body:
            raise RuntimeError("the case register served no rows: the benchmark would time an empty page")
        result["hello"] = run_wrk(base + "/bench/hello", seconds=ctx.seconds)
        # The floor of any staff page (session read, user loaded), to show where the time goes.
        result["hello_user"] = run_wrk(
            base + "/bench/hello-user", headers={"Cookie": cookie}, seconds=ctx.seconds
        )
        result["list"] = run_wrk(base + path, headers={"Cookie": cookie}, seconds=ctx.seconds)
    result["ratio"] = result["list"]["rps"] / result["hello"]["rps"] if result["hello"]["rps"] else 0
    return result
