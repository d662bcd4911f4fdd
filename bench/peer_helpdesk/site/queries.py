"""The SQL behind one request of the ticket list, as helpdesk runs it (run in helpdesk's venv).

    python queries.py <username> <path?query>

Prints one JSON line: how many queries, how many of them count rows, and the slowest few.
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main(username: str, url: str) -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    client.get(url)  # the first request fills the caches a running worker would have
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = captured.captured_queries
    slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:3]
    print(
        "QUERIES "
        + json.dumps(
            {
                "status": response.status_code,
                "queries": len(queries),
                "counts": sum("COUNT(" in q["sql"].upper() for q in queries),
                "sql_seconds": round(sum(float(q["time"]) for q in queries), 3),
                "slowest": [{"seconds": float(q["time"]), "sql": q["sql"][:300]} for q in slowest],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
