"""Traffic for `make loadtest`: staff logging foot patrols, managers on the dashboard, the public.

Every creation the server acknowledges (a redirect to the saved entry) is written to
ACKNOWLEDGED_FILE, so the run can check afterwards that each one is in the database.
LOADTEST_HOSTS (space-separated base URLs) spreads the users over several app servers, each
user staying on one, as a proxy with sticky sessions would; unset, every user uses --host.
"""

import itertools
import os
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "medborgarlofte-demo")
ACKNOWLEDGED_FILE = os.environ.get("ACKNOWLEDGED_FILE", "acknowledged.txt")
# A date staff may log: today, in the running year's promise, whose current tertial the demo
# has not published (and 2022 is closed once the running year has its promise).
LOG_DATE = os.environ.get("LOADTEST_DATE", datetime.now(ZoneInfo("Europe/Stockholm")).date().isoformat())
LOG_YEAR = LOG_DATE[:4]
LOG_TERTIAL = (int(LOG_DATE[5:7]) - 1) // 4 + 1
SAVED = re.compile(r"/registreringar/(\d+)/sparad/")
_acknowledged: list[int] = []
_HOSTS = os.environ.get("LOADTEST_HOSTS", "").split() or [""]
_hosts: dict[str, itertools.cycle] = {}  # one round per kind of user, so each kind meets every server


@events.test_stop.add_listener
def _write_acknowledged(**kwargs):
    with open(ACKNOWLEDGED_FILE, "a", encoding="utf-8") as out:
        out.writelines(f"{pk}\n" for pk in _acknowledged)


def _csrf(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    return match.group(1) if match else ""


def _option_value(html: str, label: str) -> str:
    match = re.search(rf'<option value="(\d+)">{re.escape(label)}</option>', html)
    return match.group(1) if match else ""


class _Spread(HttpUser):
    abstract = True

    def on_start(self):
        hosts = _hosts.setdefault(type(self).__name__, itertools.cycle(_HOSTS))
        self.base = next(hosts)  # "" keeps locust's --host

    def url(self, path: str) -> str:
        return self.base + path


class _LoggedIn(_Spread):
    abstract = True
    username = ""

    def on_start(self):
        super().on_start()
        self.logged_in = False
        self.login()

    def login(self):
        page = self.client.get(self.url("/konto/logga-in/"), name="login form")
        response = self.client.post(
            self.url("/konto/logga-in/"),
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page)},
            name="login",
            allow_redirects=False,
        )
        self.logged_in = response.status_code == 302


class Staff(_LoggedIn):
    weight = 3
    wait_time = between(0.5, 1.5)
    username = "polis"

    @task
    def log_patrol(self):
        if not self.logged_in:
            self.login()
            return
        form = self.client.get(self.url("/registrera/fotpatrull/"), name="activity form")
        if form.status_code != 200:
            return
        response = self.client.post(
            self.url("/registrera/fotpatrull/"),
            {
                "csrfmiddlewaretoken": _csrf(form),
                "area": _option_value(form.text, "Råslätt"),
                "date": LOG_DATE,
                "quantity": "1",
                "note": "",
                "submission_key": str(uuid.uuid4()),
            },
            name="log activity",
            allow_redirects=False,
        )
        match = SAVED.search(response.headers.get("Location", ""))
        if response.status_code == 302 and match:
            _acknowledged.append(int(match.group(1)))


class Manager(_LoggedIn):
    fixed_count = 2  # one per server: both compute dashboards from the one shared cache
    wait_time = between(1, 3)
    username = "chef.polis"

    @task
    def dashboard(self):
        if not self.logged_in:
            self.login()
            return
        # The running year's promise and tertial: the staff above log into it, so its revision
        # (and the dashboard's cache key) changes all the time, as on a busy day.
        if not getattr(self, "dashboard_url", ""):
            page = self.client.get(self.url("/uppfoljning/"), name="dashboard")
            match = re.search(rf'<option value="(\d+)"[^>]*>[^<]*{LOG_YEAR}\)</option>', page.text)
            self.dashboard_url = (
                f"/uppfoljning/?promise={match.group(1)}&tertial={LOG_TERTIAL}" if match else "/uppfoljning/"
            )
            return
        self.client.get(self.url(self.dashboard_url), name="dashboard")


class Public(_Spread):
    weight = 3
    wait_time = between(0.5, 2)

    @task(3)
    def page(self):
        self.client.get(self.url("/"), name="public page")

    @task(1)
    def open_data(self):
        self.client.get(self.url("/api/v1/municipalities/0680/promises/2022/followups/2/"), name="open data")
