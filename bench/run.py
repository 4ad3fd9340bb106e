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
from pathlib import Path

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


def _queries(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def measure(size: int, repeats: int, promise, manager, staff) -> dict:
    from django.db import connection
    from django.test import Client

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
    api_url = f"/api/v1/municipalities/{promise.municipality.code}/promises/{promise.year}/"
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

    from promises.revisions import promise_changed

    dashboard = get(client, dashboard_url)

    def dashboard_after_change():
        # As after any new entry: the promise's revision moves on and the figures are recomputed.
        promise_changed([promise.pk])  # outside a transaction: at once
        promise.refresh_from_db(fields=["revision"])
        dashboard()

    pages = {
        "dashboard": dashboard,
        "dashboard, first view after a change": dashboard_after_change,
        "target detail (charts)": get(client, detail_url),
        "SQL aggregate (floor)": sql_floor,
        "SQL from a database-kept summary (option b)": summary_floor,
        "minimal view (floor)": get(client, "/bench/minimal/"),
        "public page": get(public, "/"),
        "public year page": get(public, f"/{promise.municipality.slug}/{promise.year}/"),
        "open data JSON": get(public, api_url),
    }
    results: dict[str, dict[str, float | None]] = {
        name: {"ms": _median_ms(call, repeats), "queries": _queries(call)} for name, call in pages.items()
    }
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
            results[count] = {
                "log one activity (form POST)": {"ms": _median_ms(form_post, repeats), "queries": _queries(form_post)},
                "minimal POST saving one entry (floor)": {
                    "ms": _median_ms(minimal_post, repeats),
                    "queries": _queries(minimal_post),
                },
            }
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
        f"one client, medians of {repeats} posts, with the staff member's organisation party to 1, 30 and 300",
        "active promises. Each form POST gives the promise a new revision, so the next one reads that promise's",
        "rules from the database and every other promise's from the cache (promises/selectors.py).",
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
        "# Performance",
        "",
        f"Generated by `make bench` on {time.strftime('%Y-%m-%d')}: {machine()}.",
        f"{promises} promises over {len(sizes)} data sizes; medians of {repeats} requests through Django's test "
        "client, on PostgreSQL, all measured side by side in one run.",
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
        "smallest and at most 3× the minimal view; the public page and the open-data JSON within 2× the minimal",
        "view at every size; no page's query count grows with the data (one number in the queries column); and",
        "the national issue's: the dashboard's first view after a change at most 6× the minimal view, the target",
        "page growing at most 1.3× from the smallest size to the largest.",
        "",
        "Every figure is aggregated from the activities themselves (followup/selectors.py) behind the covering",
        'index `activity_figures_idx`. "SQL aggregate (floor)" is that aggregate bare (month totals and the',
        'days with an entry for cadence); "SQL from a database-kept summary (option b)" is the same two reads',
        "from a materialized view of per-bucket sums, the alternative the figures could be read from; it",
        "leaves out what keeping such a summary costs on every write.",
        "",
        '"dashboard" is a repeated view: its figures are cached per promise revision (see the README).',
        '"dashboard, first view after a change" gives the promise a new revision before every request, so it',
        "measures the recomputation from the activities. The public page (`/`) and the year page show the",
        'measured promise with two published tertials. "log one activity" is a form POST while three other',
        "clients post at the same time, on this 2-core machine.",
        "",
    ]
    checks = []
    dash = [results[s]["dashboard"]["ms"] for s in sizes]
    floors = [results[s]["minimal view (floor)"]["ms"] for s in sizes]
    checks.append(("dashboard growth ≤ 1.5×", dash[-1] / dash[0] <= 1.5))
    checks.append(("dashboard ≤ 3× minimal view", dash[-1] / floors[-1] <= 3))
    first = results[last]["dashboard, first view after a change"]["ms"] / floors[-1]
    checks.append((f"dashboard, first view after a change ≤ 6× minimal view ({first:.2f}×)", first <= 6))
    detail = [results[s]["target detail (charts)"]["ms"] for s in sizes]
    growth = detail[-1] / detail[0]
    checks.append((f"target detail growth ≤ 1.3× ({growth:.2f}×)", growth <= 1.3))
    for page in ("public page", "public year page", "open data JSON"):
        worst = max(results[s][page]["ms"] / results[s]["minimal view (floor)"]["ms"] for s in sizes)
        checks.append((f"{page} ≤ 2× minimal view (worst {worst:.2f}×)", worst <= 2))
    for name in names:
        if name.startswith(("log one", "chart")):
            continue
        counts = {results[s][name]["queries"] for s in sizes}
        checks.append((f"{name}: query count constant", len(counts) == 1))
    lines += ["| check | met |", "|---|---|"] + [f"| {label} | {'yes' if ok else 'NO'} |" for label, ok in checks]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="activities, comma-separated (add 10000000 for 10 M)"
    )
    parser.add_argument("--promises", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=15)
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
        have = 0
        for index, size in enumerate(sizes):
            started = time.perf_counter()
            activities_add(promises=promises, count=size - have, user=staff, seed=index)
            have = size
            with connection.cursor() as cursor:
                # What autovacuum does on a live server after a bulk load: statistics, and the
                # visibility map that lets the covering index answer without the table.
                cursor.execute("VACUUM ANALYZE promises_activity")
            publish(promise=promises[0])
            print(f"{size} activities in place ({time.perf_counter() - started:.1f} s); measuring", flush=True)
            results[size] = measure(size, args.repeats, promises[0], manager, staff)
        print("measuring writes", flush=True)
        writes = measure_writes(every_promise, staff, args.repeats)
        text = report(sizes, results, len(promises), args.repeats) + "\n" + report_writes(writes, args.repeats)
        print(text)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
