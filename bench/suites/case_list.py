"""A town officer's scoped, filtered case register (25 rows) against a bare "hello world" view.

Both are served by one gunicorn with the same workers, loaded by wrk in the same run, so the ratio
holds on a noisy machine. The queries of one page are captured in-process: their number, and whether
any of them counts rows without a bound.
"""

from __future__ import annotations

import re
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


def run(ctx) -> dict:
    path = _path()
    cookie = session_cookie(OFFICER)
    result = {"path": path, "workers": ctx.workers, **page_queries(path)}
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
