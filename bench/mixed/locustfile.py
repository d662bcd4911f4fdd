"""The mixed load: grid workers, officers, residents and a hotline integration on one server at once.

Run by bench/suites/mixed.py inside its own locust venv; it reads the plan the suite wrote (sessions,
house codes, tracking codes, an API token) from the file named by MIXED_PLAN. See README.md here.

Every request checks its answer: the status it must have, and that the page is the page asked for
(a marker of its template), so a login redirect, an error page or an empty answer is a failure.
Pages that lead to the next step (a due list to a visit, a register to a case) are parsed for their
links, as a browser's user would follow them.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

import requests
from locust import HttpUser, User, between, constant_pacing, events, task
from officer_filters import PERIODS, register_filters  # beside this file: locust puts its folder on the path

PLAN = json.loads(Path(os.environ["MIXED_PLAN"]).read_text())

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(
    r'<li class="case-row[^"]*"[^>]*>\s*<div class="head">\s*<a class="title" href="/cases/(\d+)/"'
)
DUE_LINK = re.compile(r'href="/visits/new/\?household=(\d+)&amp;due=(\d+)&amp;next=[^"]*"')
HOUSEHOLD_LINK = re.compile(r'href="/visits/households/(\d+)/"')
SEARCH_HIT = re.compile(r'<li class="case-row" data-household="(\d+)">')
VISIT_DONE = re.compile(r"^/visits/(\d+/)?$")  # back to the due list, or the visit just logged
MORE = re.compile(r'hx-get="\?([^"]*after=[^"]+)"')
OPTION = re.compile(r'<option value="(\d+)"')
THANKS = re.compile(r"^/p/report/thanks/([A-Z0-9]+)/$")
LOGIN = "/login/"
TIMEOUT = 30  # seconds; an answer slower than this is a failure, not a latency
# What a refused form or API call says: a field's error, a page's error message, the API's message.
ERROR = re.compile(r'(?:role="alert">|"message": ?")([^<"]+)')

REGISTER_FILTERS = register_filters(PLAN["categories"])
FINDINGS = ["家中一切正常", "老人身体尚可，子女每周探望", "楼道堆放杂物，已提醒清理", "反映楼下路灯不亮"]
REPORTS = [
    "楼道灯坏了一个星期，晚上看不见台阶",
    "小区门口垃圾桶满了，两天没有清运",
    "楼上装修噪音太大，晚上十点以后还在施工",
    "单元门禁坏了，外人可以随便进出",
    "路边井盖松动，车一过就响",
]


def _value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else ""


def _form(html: str, marker: str) -> str:
    """The part of a page from the form with `marker` to its end (pages carry other small forms)."""
    start = html.find(marker)
    return html[start : html.find("</form>", start)] if start >= 0 else ""


def check(response, *, status=(200,), marker: str | None = None, location: re.Pattern | None = None) -> bool:
    """Mark the answer failed unless it has the status, the page's marker and (for a redirect) target."""
    if response.status_code not in status:
        where = response.headers.get("Location", "")
        said = ERROR.search(response.text or "")
        detail = f" → {where}" if where else f": {said.group(1).strip()[:120]}" if said else ""
        response.failure(f"{response.status_code}{detail}")
        return False
    if response.status_code in (301, 302, 303):
        where = response.headers.get("Location", "")
        if where.startswith(LOGIN) or (location is not None and not location.match(where)):
            response.failure(f"redirected to {where}")
            return False
    elif LOGIN in response.url or 'name="password"' in response.text:
        response.failure("the login page")
        return False
    elif marker is not None and marker not in response.text:
        response.failure(f"not the page asked for (no {marker!r})")
        return False
    response.success()
    return True


class Staff(HttpUser):
    """A member of staff on their own device: one session of their persona's account."""

    abstract = True
    personas: tuple[str, ...] = ()
    _turns: dict = {}

    def on_start(self):
        cls = type(self)
        turn = cls._turns.setdefault(cls.__name__, itertools.count())
        n = next(turn)
        self.persona = self.personas[n % len(self.personas)]
        cookies = PLAN["sessions"][self.persona]
        name, value = cookies[(n // len(self.personas)) % len(cookies)].split("=", 1)
        self.client.cookies.set(name, value)
        self.cases: list[str] = []

    def get(self, path: str, name: str, marker: str, **kwargs):
        with self.client.get(
            path, name=name, catch_response=True, allow_redirects=False, timeout=TIMEOUT, **kwargs
        ) as r:
            return r.text if check(r, marker=marker) else None


class GridWorker(Staff):
    """A grid worker on the phone, walking from household to household: today, the due list, a visit.

    A visit follows a row of the due list when there is one; otherwise (a county with no visit rules
    set) the worker at the door types the plate's house code into the household search, as the
    visit page offers, and logs the visit from the household found.
    """

    weight = 4
    personas = ("grid_worker", "grid_chief")
    wait_time = between(5, 15)

    def on_start(self):
        super().on_start()
        self.dues: list[tuple[str, str]] = []
        self.households: list[str] = []

    @task(3)
    def today(self):
        self.get("/today/", "worker: today", 'class="today"')

    @task(2)
    def due_list(self):
        query = random.choice(["", "?when=overdue", "?when=all"])
        html = self.get(f"/visits/{query}", "worker: visits due", 'id="dues"')
        if html:
            self.dues = DUE_LINK.findall(html)
            self.households = HOUSEHOLD_LINK.findall(html) or self.households

    @task(1)
    def household(self):
        if self.households:
            pk = random.choice(self.households)
            self.get(f"/visits/households/{pk}/", "worker: a household's visits", 'id="visits"')

    @task(2)
    def log_visit(self):
        if self.dues:
            household, due = self.dues.pop(random.randrange(len(self.dues)))
            path = f"/visits/new/?household={household}&due={due}&next=/visits/"
        else:
            code = random.choice(PLAN["worker_house_codes"])
            html = self.get(f"/visits/households/?q={code}", "worker: household search", 'value="' + code)
            found = SEARCH_HIT.findall(html or "")
            if not found:
                return
            household = found[0]
            self.households = [*self.households[-20:], household]
            path = f"/visits/new/?household={household}"
        html = self.get(path, "worker: visit form", 'id="visit-form"')
        form = _form(html or "", 'id="visit-form"')
        # A key person's visit names the person; the household visits here are the other kinds.
        kinds = [
            k
            for k in re.findall(r'name="kind" value="(\w+)"[^>]*?( checked)?>', form)
            if k[0] != "key_person"
        ]
        if not form or not kinds:
            return
        kind = next((k for k, checked in kinds if checked), random.choice(kinds)[0])
        data = {
            "csrfmiddlewaretoken": CSRF.search(form).group(1),
            "household": household,
            "next": _value(form, "next"),
            "idempotency_key": _value(form, "idempotency_key"),
            "kind": kind,
            "visited_on": _value(form, "visited_on"),
            "resident": "",
            "findings": random.choice(FINDINGS),
        }
        if random.random() < 0.5:
            data["flags"] = "all_well"
        with self.client.post(
            "/visits/new/",
            data=data,
            name="worker: log a visit (POST)",
            catch_response=True,
            allow_redirects=False,
            timeout=TIMEOUT,
        ) as r:
            check(r, status=(302,), location=VISIT_DONE)


class Officer(Staff):
    """Community and town officers and a department's handler at a desk: queue, register, a case, rates."""

    weight = 3
    personas = ("town_officer", "community_secretary", "grid_chief", "department_handler")
    wait_time = between(3, 10)

    def _remember(self, html: str) -> None:
        found = CASE_LINK.findall(html)
        if found:
            self.cases = found

    @task(2)
    def queue(self):
        html = self.get("/cases/", "officer: my queue", 'id="queue"')
        if html:
            self._remember(html)

    @task(4)
    def register(self):
        query = random.choice(REGISTER_FILTERS)
        html = self.get(f"/cases/list/?{query}", "officer: case register (filtered)", 'id="rows"')
        if not html:
            return
        self._remember(html)
        more = MORE.search(html)
        if more and random.random() < 0.3:
            path = "/cases/list/?" + more.group(1).replace("&amp;", "&")
            rows = self.get(
                path, "officer: register, next 25 (htmx)", 'class="case-row', headers={"HX-Request": "true"}
            )
            if rows:
                self._remember(rows)

    @task(5)
    def case_detail(self):
        if not self.cases:
            return self.register()
        self.get(f"/cases/{random.choice(self.cases)}/", "officer: case detail", 'id="timeline"')

    @task(1)
    def dashboard(self):
        query = random.choice(PERIODS)
        self.get(f"/cases/measures/?{query}", "officer: three-rates dashboard", 'class="rate-cards"')


class Resident(HttpUser):
    """Residents: each round is another person, scanning a door plate to report or following a case.

    Each comes from their own address (the server sits behind one proxy that says so in
    X-Forwarded-For, as in a deployment), so the portal's per-address limits apply per resident.
    """

    weight = 4
    wait_time = between(5, 20)

    def on_start(self):
        self.mine: list[str] = []

    def _new_person(self) -> dict:
        self.client.cookies.clear()
        addr = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        return {"X-Forwarded-For": addr}

    def get(self, path: str, name: str, marker: str, headers: dict):
        with self.client.get(
            path, name=name, headers=headers, catch_response=True, allow_redirects=False, timeout=TIMEOUT
        ) as r:
            return r.text if check(r, marker=marker) else None

    @task(2)
    def report_by_door_plate(self):
        headers = self._new_person()
        house = random.choice(PLAN["house_codes"])
        if not self.get(f"/p/{house}/", "resident: door plate", f"/p/{house}/report/", headers):
            return
        html = self.get(f"/p/{house}/report/", "resident: report form", 'name="idempotency_key"', headers)
        form = _form(html or "", 'class="report-form')
        categories = OPTION.findall(form)
        if not form or not categories:
            return
        data = {
            "csrfmiddlewaretoken": CSRF.search(form).group(1),
            "idempotency_key": _value(form, "idempotency_key"),
            "category": random.choice(categories),
            "description": random.choice(REPORTS),
            "name": random.choice(["", "李女士", "张先生"]),
            "phone": random.choice(["", f"139{random.randrange(10**8):08d}"]),
        }
        with self.client.post(
            f"/p/{house}/report/",
            data=data,
            headers=headers,
            name="resident: report (POST)",
            catch_response=True,
            allow_redirects=False,
            timeout=TIMEOUT,
        ) as r:
            if not check(r, status=(302,), location=THANKS):
                return
            code = THANKS.match(r.headers["Location"]).group(1)
        self.mine.append(code)
        self.get(f"/p/report/thanks/{code}/", "resident: thanks", code, headers)

    @task(3)
    def follow_a_case(self):
        headers = self._new_person()
        mine = self.mine and random.random() < 0.5
        code = random.choice(self.mine) if mine else random.choice(PLAN["tracking_codes"])
        self.get(f"/p/track/{code}/", "resident: case status", code, headers)


class Hotline(HttpUser):
    """The 12345 hotline's platform pushing cases through the API, each with its Idempotency-Key.

    One push in ten is sent again with the same key, as a client does when it missed the answer: it
    must come back 200 with the case made the first time, not a second case.
    """

    weight = 1
    wait_time = constant_pacing(2)

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {PLAN['api_token']}"}
        self.last: tuple[str, dict, str] | None = None

    @task
    def push(self):
        if self.last and random.random() < 0.1:
            key, body, made = self.last
            self.last = None
            with self._post(key, body, "api: case intake, repeated key (POST)") as r:
                if check(r, status=(200,)) and r.json().get("code") != made:
                    r.failure("a repeated key answered with another case")
            return
        key = uuid.uuid4().hex
        body = {
            "channel": "hotline_12345",
            "category": random.choice(PLAN["categories"]),
            "description": random.choice(REPORTS),
            "house_code": random.choice(PLAN["intake_house_codes"]),
            "reporter_name": "王先生",
            "reporter_phone": f"138{random.randrange(10**8):08d}",
            "external_id": f"12345-{key[:12]}",
        }
        with self._post(key, body, "api: case intake (POST)") as r:
            if check(r, status=(201,)):
                self.last = (key, body, r.json()["code"])

    def _post(self, key: str, body: dict, name: str):
        headers = {**self.headers, "Idempotency-Key": key}
        return self.client.post(
            "/api/v1/cases", json=body, headers=headers, name=name, catch_response=True, timeout=TIMEOUT
        )


PROBES: list[float] = []


class Probe(User):
    """The baseline: the bare /bench/hello view asked once a second under the same load.

    Timed here and kept out of locust's statistics, so the product's figures hold only its own pages.
    """

    fixed_count = 1
    wait_time = constant_pacing(1)

    def on_start(self):
        self.session = requests.Session()

    @task
    def hello(self):
        t0 = time.perf_counter()
        answer = self.session.get(f"{self.host}/bench/hello", timeout=TIMEOUT)
        if answer.status_code == 200 and answer.text == "hello":
            PROBES.append(round((time.perf_counter() - t0) * 1000, 2))


@events.test_stop.add_listener
def _keep_probes(**_kwargs):
    if os.environ.get("MIXED_PROBE"):
        Path(os.environ["MIXED_PROBE"]).write_text(json.dumps(PROBES))
