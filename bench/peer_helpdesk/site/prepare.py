"""Queues and staff of the benchmark desk, through helpdesk's own models (run in helpdesk's venv).

Idempotent. Prints one JSON line: the queues (id, slug, title, permission) and the users
(id, username, queue) that the loader spreads tickets over. Tickets themselves are copied in by the
loader; this part goes through the ORM because helpdesk's signals make what a queue and a user need
(a queue's permission, a user's helpdesk settings).
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from helpdesk.models import Queue  # noqa: E402

# A municipal service desk: the same kinds of demand as a county's cases.
QUEUES = [
    ("sanitation", "Sanitation and waste"),
    ("roads", "Roads and pavements"),
    ("property", "Property management"),
    ("neighbours", "Neighbour disputes"),
    ("water", "Water supply"),
    ("heating", "Heating"),
    ("power", "Power and street lighting"),
    ("elderly", "Elderly care"),
    ("assistance", "Social assistance"),
    ("suggestions", "Suggestions"),
    ("security", "Public security"),
    ("health", "Health services"),
    ("employment", "Employment"),
    ("parking", "Parking"),
    ("noise", "Noise"),
    ("greenery", "Parks and greenery"),
    ("drainage", "Drainage and flooding"),
    ("construction", "Unauthorised construction"),
    ("children", "Children and schools"),
    ("praise", "Praise and thanks"),
]
AGENTS_PER_QUEUE = 2


def main(password: str) -> None:
    users = get_user_model().objects
    hashed = make_password(password)  # one hash for every login: hashing is slow on purpose
    admin, _ = users.get_or_create(
        username="admin", defaults={"email": "admin@desk.example", "is_staff": True, "is_superuser": True}
    )
    admin.password = hashed
    admin.save(update_fields=["password"])
    queues, agents = [], []
    for slug, title in QUEUES:
        queue = Queue.objects.filter(slug=slug).first() or Queue.objects.create(
            slug=slug, title=title, email_address=f"{slug}@desk.example", allow_public_submission=False
        )
        codename = queue.permission_name.split(".", 1)[1]  # stored as "helpdesk.<codename>"
        permission = Permission.objects.get(content_type__app_label="helpdesk", codename=codename)
        queues.append({"id": queue.pk, "slug": slug, "title": title, "permission": queue.permission_name})
        for n in range(1, AGENTS_PER_QUEUE + 1):
            agent, _ = users.get_or_create(
                username=f"{slug}-agent-{n}",
                defaults={"email": f"{slug}.{n}@desk.example", "is_staff": True, "first_name": title},
            )
            agent.password = hashed
            agent.save(update_fields=["password"])
            agent.user_permissions.add(permission)
            agents.append({"id": agent.pk, "username": agent.username, "queue": queue.pk})
    print("PREPARED " + json.dumps({"admin": admin.pk, "queues": queues, "agents": agents}))


if __name__ == "__main__":
    main(sys.argv[1])
