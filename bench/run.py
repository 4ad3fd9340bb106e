"""`make bench`: the follow-up's speed at growing national data sizes, measured side by side.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.run --sizes 10000,100000,1000000

Runs on PostgreSQL: it creates (and afterwards drops) its own database on the server that
BENCH_DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/medborgarlofte_bench).
For each size it times, as medians of repeated requests through Django's test client:
the manager dashboard and a target's detail page; the bare SQL aggregate the dashboard needs
(the floor); a minimal view on the same stack (the framework's floor); the public page and the
open-data JSON; and logging one activity with four clients posting at once. It prints a
table and writes it to docs/performance.md. No timing is ever asserted in the test suite.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/medborgarlofte_bench"


def _prepare_database(url: str) -> None:
    import dj_database_url
    import psycopg2

    db = dj_database_url.parse(url)
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def _drop_database(url: str) -> None:
    import dj_database_url
    import psycopg2

    db = dj_database_url.parse(url)
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
    admin.close()


def _median_ms(function, repeats: int) -> float:
    function()  # warm up caches and connections
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _medians_interleaved(calls: dict, repeats: int, setups: dict) -> dict[str, float]:
    """The median of `repeats` timed calls of each, taken in turns (one of each per round), so
    that a slow spell of a shared machine falls on every row alike and the ratios between rows
    hold; `setups[name]`, when given, runs before each call of that row, untimed."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for name, call in calls.items():  # warm up caches and connections
        setups.get(name, lambda: None)()
        call()
    for _ in range(repeats):
        for name, call in calls.items():
            setups.get(name, lambda: None)()
            started = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def _measure_pages(pages: dict, setups: dict, repeats: int) -> dict[str, dict[str, float | None]]:
    """Each page's median time and query count. The rows "not yet cached" empty the whole cache
    before each request, so they are measured after the others, one after another, not in their
    turns; each row's queries are counted right after its times, before a later row empties it."""
    uncached_rows = [name for name in pages if name.endswith("not yet cached")]
    in_turns = {name: call for name, call in pages.items() if name not in uncached_rows}
    medians = _medians_interleaved(in_turns, repeats, setups)
    queries = {name: _queries(call, setups.get(name)) for name, call in in_turns.items()}
    for name in uncached_rows:
        medians[name] = _median_ms(pages[name], repeats)
        queries[name] = _queries(pages[name])
    return {name: {"ms": medians[name], "queries": queries[name]} for name in pages}


def _queries(function, setup=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if setup is not None:
        setup()
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def public_url(name: str, promise, *args) -> str:
    """A public address by its URL name: the promise's municipality's slug first (`public:year`
    takes [slug, year], `api:promise` too)."""
    from django.urls import reverse

    return reverse(name, args=[promise.municipality.slug, *args])


def _changes(promise, target, tertial: int, manager, staff) -> dict:
    """What happens before each "first view" of the dashboard, untimed: a change committed."""
    from followup.selectors import followup_basis_warm_on_commit
    from followup.services import target_comment_save
    from promises.models import ActivityType, Area
    from promises.revisions import promise_changed
    from promises.services import ActivityData, activity_create

    patrols = ActivityData(
        activity_type=ActivityType.objects.get(code="fotpatrull"),
        area=Area.objects.get(municipality=promise.municipality, name="Råslätt"),
        date=date(promise.year, 10, 15),
    )

    def new_entry():
        # A patrol logged through the service, outside a transaction: it commits at once, and
        # the promise's revision moves as after any entry (its rules revision stays).
        activity_create(user=staff, data=patrols)

    said = iter(range(10**6))

    def new_comment():
        # A manager's comment through the service, committed at once: both revisions move, and
        # the service caches the tertial's basis under the new one (followup_basis_warm), as
        # after an approval or a publication.
        target_comment_save(
            target=target, tertial=tertial, user=manager, analysis=f"Kommentar {next(said)}.", measures=""
        )

    def targets_changed():
        # What a change of targets or areas in the admin does (promises.admin.RevisionAdmin):
        # both revisions move and the basis of the promise's three tertials is cached under the
        # new one. (A promise file loaded again moves them without that: its first reader reads
        # the basis from the database.)
        promise_changed([promise.pk])
        followup_basis_warm_on_commit(promise_ids=[promise.pk])

    return {
        "dashboard, first view after a new entry": new_entry,
        "dashboard, first view after a comment": new_comment,
        "dashboard, first view after a change of targets": targets_changed,
    }


def measure(size: int, repeats: int, promise, manager, staff) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from followup import charts
    from followup.selectors import coverage, target_daily_totals
    from promises.models import Target
    from promises.periods import Tertial

    client = Client()
    client.force_login(manager)
    public = Client()
    tertial = 2
    dashboard_url = f"/uppfoljning/?promise={promise.pk}&tertial={tertial}"
    target = Target.objects.get(commitment__section__promise=promise, key="fotpatrull-raslatt")
    detail_url = f"/uppfoljning/mal/{target.pk}/?tertial={tertial}"
    api_url = public_url("api:promise", promise, promise.year)
    cadence_types = set(
        Target.objects.filter(commitment__section__promise=promise, kind="cadence").values_list(
            "activity_type_id", flat=True
        )
    )

    totals_sql, totals_params = _sql(promise)

    def sql_floor():
        with connection.cursor() as cursor:
            cursor.execute(totals_sql, totals_params)
            cursor.fetchall()
        coverage(promise=promise, type_ids=cadence_types)

    # Option (b), for comparison: a summary the database keeps (a materialized view of the
    # activities per promise, type, area and ISO week and month), read by the same two queries.
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_VIEW)
        cursor.execute("REFRESH MATERIALIZED VIEW bench_activity_summary")

    def summary_floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT activity_type_id, area_id, month, SUM(total), SUM(flagged) FROM bench_activity_summary "
                "WHERE promise_id = %s GROUP BY activity_type_id, area_id, month",
                [promise.pk],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT DISTINCT activity_type_id, area_id, iso_year, iso_week, year, month "
                "FROM bench_activity_summary WHERE promise_id = %s AND activity_type_id = ANY(%s)",
                [promise.pk, list(cadence_types)],
            )
            cursor.fetchall()

    def get(c, url, status=200):
        def call():
            response = c.get(url)
            assert response.status_code == status, (url, response.status_code)

        return call

    def uncached(call):
        # The first reader after a publication: the page rendered from the database.
        def first_view():
            cache.clear()
            call()

        return first_view

    dashboard = get(client, dashboard_url)
    pages = {
        "dashboard": dashboard,
        "dashboard, first view after a new entry": dashboard,
        "dashboard, first view after a comment": dashboard,
        "dashboard, first view after a change of targets": dashboard,
        "target detail (charts)": get(client, detail_url),
        "SQL aggregate (floor)": sql_floor,
        "SQL from a database-kept summary (option b)": summary_floor,
        "minimal view (floor)": get(client, "/bench/minimal/"),
        "national index": get(public, reverse("public:index")),
        "municipality page": get(public, public_url("public:municipality", promise)),
        "public year page": get(public, public_url("public:year", promise, promise.year)),
        "national index, not yet cached": uncached(get(public, reverse("public:index"))),
        "municipality page, not yet cached": uncached(get(public, public_url("public:municipality", promise))),
        "open data JSON": get(public, api_url),
    }
    setups = _changes(promise, target, tertial, manager, staff)
    results = _measure_pages(pages, setups, repeats)
    results["SQL aggregate (floor)"]["queries"] = 2
    results["SQL from a database-kept summary (option b)"]["queries"] = 2

    # Chart building alone: plain dicts, then serialised by json and by orjson.
    daily = target_daily_totals(target=target, promise=promise)
    until = Tertial(promise.year, tertial).end
    build = lambda: charts.cumulative_chart(year=promise.year, daily=daily, target=800, until=until)  # noqa: E731
    figure = build()
    results["chart build (dicts)"] = {"ms": _median_ms(build, repeats * 5), "queries": 0}
    results["chart JSON (json)"] = {"ms": _median_ms(lambda: json.dumps(figure), repeats * 5), "queries": 0}
    try:
        import orjson

        results["chart JSON (orjson)"] = {"ms": _median_ms(lambda: orjson.dumps(figure), repeats * 5), "queries": 0}
    except ImportError:
        pass

    results["log one activity (4 at once)"] = {"ms": _post_under_load(staff, promise, repeats), "queries": None}
    return results


SUMMARY_VIEW = """
CREATE MATERIALIZED VIEW IF NOT EXISTS bench_activity_summary AS
SELECT promise_id, activity_type_id, area_id,
       EXTRACT(YEAR FROM date)::int AS year, EXTRACT(MONTH FROM date)::int AS month,
       EXTRACT(ISOYEAR FROM date)::int AS iso_year, EXTRACT(WEEK FROM date)::int AS iso_week,
       COUNT(*) AS entries, SUM(quantity) AS total,
       COALESCE(SUM(quantity) FILTER (WHERE first_time_user), 0) AS flagged
FROM promises_activity
GROUP BY 1, 2, 3, 4, 5, 6, 7;
CREATE UNIQUE INDEX IF NOT EXISTS bench_activity_summary_key
    ON bench_activity_summary (promise_id, activity_type_id, area_id, year, month, iso_year, iso_week);
"""


def _sql(promise) -> tuple[str, tuple]:
    """The SQL of the dashboard's aggregate (month_totals), to run bare as the floor."""
    from django.db.models import Q, Sum
    from django.db.models.functions import ExtractMonth

    from promises.models import Activity

    queryset = (
        Activity.objects.filter(promise=promise)
        .values("activity_type_id", "area_id", month=ExtractMonth("date"))
        .annotate(sum_total=Sum("quantity"), sum_flagged=Sum("quantity", filter=Q(first_time_user=True)))
        .order_by()
    )
    return queryset.query.sql_with_params()


def _post_under_load(staff, promise, repeats: int) -> float:
    """Median time of one form POST while three other clients post at the same time."""
    from django.db import connection
    from django.test import Client

    from promises.models import Area

    area = Area.objects.get(municipality=promise.municipality_id, name="Råslätt")
    day = f"{promise.year}-10-15"
    samples: list[float] = []
    lock = threading.Lock()

    def worker():
        client = Client()
        client.force_login(staff)
        for _ in range(max(3, repeats // 2)):
            data = {"area": area.pk, "date": day, "quantity": "1", "submission_key": str(uuid.uuid4())}
            started = time.perf_counter()
            response = client.post("/registrera/fotpatrull/", data)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 302, response.status_code
            with lock:
                samples.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statistics.median(samples)


WRITE_PROMISES = (1, 30, 300)


def measure_writes(promises, staff, repeats: int) -> dict[int, dict]:
    """Logging one activity by the form against a minimal POST that saves one entry, with 1,
    30 and 300 active promises the staff member's organisation signed (the others closed
    meanwhile): the rules' context must not grow with them."""
    from django.test import Client

    from promises.models import ActivityType, Area, Promise

    promise = promises[0]
    area = Area.objects.get(municipality=promise.municipality, name="Råslätt")
    patrol = ActivityType.objects.get(code="fotpatrull")
    day = f"{promise.year}-10-15"
    client = Client()
    client.force_login(staff)

    def form_post():
        data = {"area": area.pk, "date": day, "quantity": "1", "submission_key": str(uuid.uuid4())}
        response = client.post("/registrera/fotpatrull/", data)
        assert response.status_code == 302, response.status_code

    def minimal_post():
        data = {"promise": promise.pk, "activity_type": patrol.pk, "area": area.pk, "date": day, "quantity": "1"}
        response = client.post("/bench/minimal-post/", data)
        assert response.status_code == 302, response.status_code

    statuses = dict(Promise.objects.values_list("pk", "status"))
    results: dict[int, dict] = {}
    try:
        for count in WRITE_PROMISES:
            active = [p.pk for p in promises[:count]]
            Promise.objects.filter(pk__in=active).update(status=Promise.Status.ACTIVE)
            Promise.objects.exclude(pk__in=active).update(status=Promise.Status.CLOSED)
            posts = {"log one activity (form POST)": form_post, "minimal POST saving one entry (floor)": minimal_post}
            medians = _medians_interleaved(posts, repeats, {})
            results[count] = {name: {"ms": medians[name], "queries": _queries(call)} for name, call in posts.items()}
    finally:
        for status in set(statuses.values()):
            Promise.objects.filter(pk__in=[pk for pk, s in statuses.items() if s == status]).update(status=status)
    return results


def report_writes(results: dict[int, dict], repeats: int) -> str:
    counts = list(results)
    names = list(results[counts[0]])
    lines = [
        "## Writes",
        "",
        "Logging one activity by the form (session, login, the form, the rules' context, the service, the entry",
        "and its history) against a minimal logged-in POST that saves one entry on the same stack (bench/urls.py),",
        f"one client, medians of {repeats} posts of each in turns, with the staff member's organisation party to 1,",
        "30 and 300 active promises. A logged entry gives its promise a new revision (the follow-up's figures) but",
        "keeps its rules revision, so the next post reads the rules from the cache (promises/revisions.py).",
        "",
        "| request | " + " | ".join(f"{count} promises" for count in counts) + " | × minimal POST | queries |",
        "|---|" + "---|" * len(counts) + "---|---|",
    ]
    last = counts[-1]
    floor = results[last]["minimal POST saving one entry (floor)"]["ms"]
    for name in names:
        times = [results[count][name]["ms"] for count in counts]
        queries = "/".join(str(results[count][name]["queries"]) for count in counts)
        lines.append(
            f"| {name} | " + " | ".join(f"{t:.2f} ms" for t in times) + f" | {times[-1] / floor:.2f} | {queries} |"
        )
    form = "log one activity (form POST)"
    ratio = results[last][form]["ms"] / floor
    constant = len({results[count][form]["queries"] for count in counts}) == 1
    lines += [
        "",
        "| check | met |",
        "|---|---|",
        f"| form POST ≤ 3× minimal POST at {last} promises ({ratio:.2f}×) | {'yes' if ratio <= 3 else 'NO'} |",
        f"| form POST query count the same at {', '.join(map(str, counts))} promises | {'yes' if constant else 'NO'} |",
    ]
    return "\n".join(lines) + "\n"


def _proc(path: str, prefix: str) -> str:
    try:
        with open(path, encoding="utf-8") as lines:
            return next((line for line in lines if line.startswith(prefix)), "")
    except OSError:
        return ""


def machine() -> str:
    cpu = _proc("/proc/cpuinfo", "model name").partition(":")[2].strip()
    memory_kb = _proc("/proc/meminfo", "MemTotal").split()[1:2]
    memory = f"{int(memory_kb[0]) / 1024 / 1024:.0f} GiB" if memory_kb else "?"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    # On a shared machine the load says how far to trust the absolute times.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} memory, Python {platform.python_version()}, PostgreSQL {pg}; "
        f"load average {load} when the table was written"
    )


def report(sizes: list[int], results: dict[int, dict], promises: int, repeats: int) -> str:
    names = list(results[sizes[0]])
    lines = [
        BEGIN,
        "## Reads at growing data sizes",
        "",
        f"Generated by `make bench` on {time.strftime('%Y-%m-%d')}: {machine()}.",
        f"{promises} promises over {len(sizes)} data sizes; medians of {repeats} requests through Django's test "
        "client, on PostgreSQL, all measured side by side in one run: the pages in turns, one request of each per round.",
        "",
        "| page | "
        + " | ".join(f"{size:,} activities".replace(",", " ") for size in sizes)
        + " | × SQL floor | × framework floor | queries | growth first→last |",
        "|---|" + "---|" * len(sizes) + "---|---|---|---|",
    ]
    last = sizes[-1]
    for name in names:
        times = [results[size][name]["ms"] for size in sizes]
        sql = results[last]["SQL aggregate (floor)"]["ms"]
        floor = results[last]["minimal view (floor)"]["ms"]
        queries = sorted({str(results[size][name]["queries"]) for size in sizes})
        lines.append(
            f"| {name} | "
            + " | ".join(f"{t:.2f} ms" for t in times)
            + f" | {times[-1] / sql:.1f} | {times[-1] / floor:.2f} | {'/'.join(queries)} | {times[-1] / times[0]:.2f}× |"
        )
    lines += [
        "",
        "Ratios are at the largest size. The bars: the dashboard at the largest size at most 1.5× its time at the",
        "smallest and at most 3× the minimal view; the national index, the municipality page, the year page and",
        "the open-data JSON within 2× the minimal view at every size; no page's query count grows with the data (one number in the queries column); and",
        "the national issue's: the dashboard's first view after a change at most 6× the minimal view (after a new",
        "entry, the change that happens all day, after a comment, and after a change of targets), the target page growing at most 1.3× from",
        "the smallest size to the largest.",
        "",
        "Every figure is aggregated from the activities themselves (followup/selectors.py) behind the covering",
        'index `activity_figures_idx`. "SQL aggregate (floor)" is that aggregate bare (month totals and the',
        'days with an entry for cadence); "SQL from a database-kept summary (option b)" is the same two reads',
        "from a materialized view of per-bucket sums, the alternative the figures could be read from; it",
        "leaves out what keeping such a summary costs on every write.",
        "",
        '"dashboard" is a repeated view: its figures are cached per promise revision (see the README).',
        '"dashboard, first view after a new entry" logs a patrol through the service before every request',
        "(untimed), so the figures are recomputed from the activities; what does not depend on the entries",
        '(targets, comments, publications: followup_basis_cached) is read from the cache. "…after a comment"',
        "saves a manager's comment through the service before every request: it moves both revisions and caches",
        'the basis under the new one (followup_basis_warm), as an approval and a publication do. "…after a change',
        'of targets" does what the admin does after a change of targets or areas: new revisions, and the basis of',
        "the promise's three tertials cached under them. The national index (`/`, PUBLIC_DEFAULT_MUNICIPALITY",
        "unset) lists every municipality with a published promise (every promise here has its first tertial",
        "published); the municipality page (`/<slug>/`) and the year page show the measured promise with two",
        "published tertials. The activities are spread over all the promises, so at 1 M the measured promise",
        f'has about {sizes[-1] // promises:,} of them. "log one activity" is a form POST while three other'.replace(
            ",", " "
        ),
        "clients post at the same time, on this 2-core machine.",
        "",
        "The public rows are what an anonymous reader gets: the page kept whole for the current publication",
        'by the page cache (followup/public_cache.py), no query; the bars apply to them. The rows "not yet',
        'cached" empty the cache before each request, so they render the page from the database as its first',
        "reader after a publication does (their query counts are the ones that must not grow).",
        "",
    ]
    checks = []
    dash = [results[s]["dashboard"]["ms"] for s in sizes]
    floors = [results[s]["minimal view (floor)"]["ms"] for s in sizes]
    checks.append(("dashboard growth ≤ 1.5×", dash[-1] / dash[0] <= 1.5))
    checks.append(("dashboard ≤ 3× minimal view", dash[-1] / floors[-1] <= 3))
    for change in ("a new entry", "a comment", "a change of targets"):
        first = results[last][f"dashboard, first view after {change}"]["ms"] / floors[-1]
        checks.append((f"dashboard, first view after {change} ≤ 6× minimal view ({first:.2f}×)", first <= 6))
    detail = [results[s]["target detail (charts)"]["ms"] for s in sizes]
    growth = detail[-1] / detail[0]
    checks.append((f"target detail growth ≤ 1.3× ({growth:.2f}×)", growth <= 1.3))
    for page in ("national index", "municipality page", "public year page", "open data JSON"):
        worst = max(results[s][page]["ms"] / results[s]["minimal view (floor)"]["ms"] for s in sizes)
        checks.append((f"{page} ≤ 2× minimal view (worst {worst:.2f}×)", worst <= 2))
    for name in names:
        if name.startswith(("log one", "chart")):
            continue
        counts = {results[s][name]["queries"] for s in sizes}
        checks.append((f"{name}: query count constant", len(counts) == 1))
    lines += ["| check | met |", "|---|---|"] + [f"| {label} | {'yes' if ok else 'NO'} |" for label, ok in checks]
    return "\n".join(lines) + "\n"


def storage() -> dict[str, int]:
    """Bytes on disk: the activities (table, then its indexes), their history (table and
    indexes) and the whole database but the benchmark's own materialized view."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_table_size('promises_activity'), pg_indexes_size('promises_activity'), "
            "pg_total_relation_size('promises_historicalactivity'), pg_database_size(current_database()) "
            "- COALESCE(pg_total_relation_size(to_regclass('bench_activity_summary')), 0)"
        )
        table, indexes, history, database = cursor.fetchone()
    # "database" last: its estimate adds what the others grow by.
    return {"activities": table, "activity indexes": indexes, "history": history, "database": database}


def report_storage(sizes: list[int], stored: dict[int, dict[str, int]], inserted: dict[int, float], method: str) -> str:
    """Bytes per size as measured, and at 10 M as a linear estimate from the largest size
    measured (unless 10 M itself was measured)."""
    target = 10_000_000
    last = sizes[-1]
    names = list(stored[last])
    columns = [f"{size:,} activities".replace(",", " ") for size in sizes]
    estimate = target not in sizes
    if estimate:
        columns.append(f"{target:,} activities (estimate)".replace(",", " "))
    lines = [
        "## Database size",
        "",
        "PostgreSQL's own sizes (pg_table_size, pg_indexes_size, pg_total_relation_size of the history,",
        "pg_database_size) after VACUUM ANALYZE at each size; every activity has the one history row the",
        "model writes when it is logged. "
        + (
            f"The last column is not measured: the largest size's bytes per activity × {target:,}".replace(",", " ")
            + " (the indexes grow a little faster than linearly; the promises, areas and publications not at all)."
            if estimate
            else ""
        ),
        "",
        "| | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]

    def mib(value: float) -> str:
        return f"{value / 1024**2:,.0f} MiB".replace(",", " ") if value < 10 * 1024**3 else f"{value / 1024**3:.1f} GiB"

    grown = 0.0
    for name in names:
        cells = [mib(stored[size][name]) for size in sizes]
        if estimate and name != "database":
            # Bytes per activity from the smallest size to the largest (from nothing when one size).
            first = sizes[0] if len(sizes) > 1 else 0
            per_row = (stored[last][name] - (stored[first][name] if first else 0)) / (last - first)
            grown += per_row * (target - last)
            cells.append("≈ " + mib(stored[last][name] + per_row * (target - last)))
        elif estimate:  # the rest of the database does not grow with the activities
            cells.append("≈ " + mib(stored[last][name] + grown))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        f"| time to insert ({method}, with history, VACUUM ANALYZE) | "
        + " | ".join(f"{inserted[size]:.0f} s" for size in sizes)
        + (" | |" if estimate else " |")
    )
    lines.append("")
    lines.append("The insert time is for the activities added to reach that size (the previous size's are kept).")
    return "\n".join(lines) + "\n"


def redis_memory(url: str, promises: list, municipalities: int, manager) -> dict[str, float]:
    """What the public pages of `municipalities` municipalities take in Redis: every page of their
    latest promise a reader can open (municipality, year, areas), in Swedish and English, each
    kept by the page cache as an anonymous reader's first request leaves it; then what the same
    promises' dashboards add (one tertial, Swedish). Measured with MEMORY USAGE on our own keys
    (a prefix of our own), so other users of the same Redis do not count, and removed afterwards."""
    import redis
    from django.test import Client, override_settings
    from django.utils import translation

    from promises.models import Area

    prefix = f"bench-national-{os.getpid()}"
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    }
    server = redis.Redis.from_url(url)
    seen: dict[int, Any] = {}  # municipality id → its latest Promise
    for promise in promises:  # the latest promise of each municipality, as the index shows
        if promise.municipality_id not in seen or promise.year > seen[promise.municipality_id].year:
            seen[promise.municipality_id] = promise
    chosen = list(seen.values())[:municipalities]
    before = server.info("memory")["used_memory"]
    pages = 0
    try:
        with override_settings(CACHES=caches):
            client = Client()
            for promise in chosen:
                areas = Area.objects.filter(municipality_id=promise.municipality_id).values_list("slug", flat=True)
                for language in ("sv", "en"):
                    with translation.override(language):
                        urls = [
                            public_url("public:municipality", promise),
                            public_url("public:year", promise, promise.year),
                            *(public_url("public:area", promise, promise.year, slug) for slug in areas),
                        ]
                    for address in urls:
                        response = client.get(address)
                        pages += response.status_code == 200
            keys = list(server.scan_iter(match=f"{prefix}:*", count=1000))
            used = sum(server.memory_usage(key) or 0 for key in keys)
            after = server.info("memory")["used_memory"]
            staff_client = Client()
            staff_client.force_login(manager)
            for promise in chosen:
                response = staff_client.get(f"/uppfoljning/?promise={promise.pk}&tertial=2")
                assert response.status_code == 200, response.status_code
            every_key = list(server.scan_iter(match=f"{prefix}:*", count=1000))
            dashboards = sum(server.memory_usage(key) or 0 for key in every_key) - used
    finally:
        for key in server.scan_iter(match=f"{prefix}:*", count=1000):
            server.delete(key)
    return {
        "municipalities": len(chosen),
        "pages": pages,
        "keys": len(keys),
        "bytes": used,
        "used_memory_delta": after - before,
        "dashboards": dashboards,
    }


def redis_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.ConnectionError, redis.TimeoutError)


def _n(value: float) -> str:
    """A number with a space between thousands, as Swedish and the tables here write it."""
    return f"{value:,.0f}".replace(",", " ")


def report_redis(measured: dict[str, float], url: str) -> str:
    n = measured["municipalities"]
    per = measured["bytes"] / max(1, n)
    national = per * 290
    return "\n".join(
        [
            "## Redis memory for the public pages",
            "",
            f"The public pages of {n} municipalities' latest promises (municipality page, year page and one page",
            f"per area, in Swedish and English: {measured['pages']} pages) read once each through the page cache in",
            f"Redis ({url}): {measured['keys']} keys, {_n(measured['bytes'] / 1024)} KiB by MEMORY USAGE",
            f"({_n(per / 1024)} KiB per municipality; INFO used_memory grew by {_n(measured['used_memory_delta'] / 1024)}"
            " KiB, with other users of the same Redis counted too).",
            f"Estimate for all 290 municipalities: ≈ {national / 1024**2:.0f} MiB (linear in the municipalities;"
            " pages of earlier years, reports, open data and embeds come on top while someone reads them, each kept"
            " at most PUBLIC_CACHE_SECONDS).",
            f"The same {n} promises' dashboards (one tertial, Swedish, as a manager opens them) then added"
            f" {_n(measured['dashboards'] / 1024)} KiB ({_n(measured['dashboards'] / max(1, n) / 1024)} KiB each, kept per"
            " promise revision).",
            "",
        ]
    )


BEGIN = "<!-- bench: begin (written by make bench) -->"
END = "<!-- bench: end -->"


def write_section(output: Path, section: str, begin: str, end: str) -> None:
    """Replace the marked section of `output` with `section` (or append it), keeping the rest:
    `make bench` and `make bench-http` each write their own part of docs/performance.md."""
    text = output.read_text(encoding="utf-8") if output.exists() else "# Performance\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="activities, comma-separated; 10000000 for the national 10 M (13 min to insert here, 5 GiB)",
    )
    parser.add_argument("--promises", type=int, default=300, help="promises the activities are spread over")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--insert", choices=("copy", "bulk"), default="copy", help="COPY (default) or bulk_create, to compare"
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/11",
        help="a Redis to measure the public pages' memory in (own keys only, removed after); empty: skip",
    )
    parser.add_argument("--redis-municipalities", type=int, default=20)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _prepare_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        from bench.generate import activities_add, bench_users, promises_create, publish

        started = time.perf_counter()
        # The write rows need up to 300 promises; the activities go to the first --promises.
        every_promise = promises_create(max(args.promises, *WRITE_PROMISES))
        promises = every_promise[: args.promises]
        manager, staff = bench_users()
        print(f"{len(every_promise)} promises created in {time.perf_counter() - started:.1f} s", flush=True)
        results = {}
        stored: dict[int, dict[str, int]] = {}
        inserted: dict[int, float] = {}
        have = 0
        for index, size in enumerate(sizes):
            started = time.perf_counter()
            activities_add(promises=promises, count=size - have, user=staff, seed=index, method=args.insert)
            have = size
            with connection.cursor() as cursor:
                # What autovacuum does on a live server after a bulk load: statistics, and the
                # visibility map that lets the covering index answer without the table. Every
                # table, not only the activities: without statistics on the 300 promises' targets
                # the planner guesses 5 targets per activity type where there are 300× more, and
                # the dashboard's "outside the counted areas" anti-join took 230 ms instead of 2.
                cursor.execute("VACUUM ANALYZE")
            inserted[size] = time.perf_counter() - started
            stored[size] = storage()
            print(f"{size} activities in place ({inserted[size]:.1f} s, {args.insert}); publishing", flush=True)
            started = time.perf_counter()
            if index == 0:
                # Every promise in the national index has a publication; the measured one two.
                for promise in promises[1:]:
                    publish(promise=promise, tertials=(1,))
            publish(promise=promises[0])
            print(f"published in {time.perf_counter() - started:.1f} s; measuring", flush=True)
            results[size] = measure(size, args.repeats, promises[0], manager, staff)
        print("measuring writes", flush=True)
        writes = measure_writes(every_promise, staff, args.repeats)
        parts = [
            report(sizes, results, len(promises), args.repeats),
            report_storage(sizes, stored, inserted, args.insert),
        ]
        if args.redis_url:
            print("measuring Redis memory", flush=True)
            try:
                measured = redis_memory(args.redis_url, promises, args.redis_municipalities, manager)
                parts.append(report_redis(measured, args.redis_url))
            except redis_errors() as error:
                print(f"Redis at {args.redis_url} not measured: {error}", file=sys.stderr)
        parts.append(report_writes(writes, args.repeats) + END + "\n")
        text = "\n".join(parts)
        print(text)
        write_section(args.output, text, BEGIN, END)
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
