"""The load and fault run: two app servers (gunicorn) sharing a throwaway PostgreSQL cluster
and a throwaway Redis, locust traffic spread over both, the database stopped for a few seconds
a third of the way in and Redis two thirds of the way in.

    python -m loadtest.run --seconds 30

Loopback only, bounded in time and count. It creates its own PostgreSQL cluster (initdb as
the postgres user in a temporary folder, on a free port) and its own Redis (no persistence, on
a free port), so it never touches another database or cache. It fails (exit 1) when an
acknowledged entry is missing from the database, when the app answered with a 5xx other than
503 while the database was down (or anything but 200 while Redis was), when it did not recover
by itself, or when a dashboard was computed twice for the same revision while Redis was up.
"""

import argparse
import contextlib
import csv
import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ("runuser", "-u", "postgres", "--", *command)
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    """A throwaway PostgreSQL server in a temporary folder."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mbl-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "log"),
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100",
            "-w",
            "start",
        )

    def stop(self) -> None:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/medborgarlofte"


class Redis:
    """A throwaway Redis: memory only, so a restart empties it, as in the README's layout."""

    def __init__(self, output: Path) -> None:
        self.port = free_port()
        self.log = output / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def wait_for(url: str, seconds: float) -> float | None:
    """Seconds until `url` answers 200, or None."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except Exception:
            pass
        time.sleep(0.25)
    return None


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "medborgarlofte.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=log.open("w"),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=120, help="length of the traffic (default 120)")
    parser.add_argument("--users", type=int, default=20, help="simulated users (default 20)")
    parser.add_argument("--outage", type=int, default=5, help="seconds the database, then Redis, is down (default 5)")
    parser.add_argument("--output", type=Path, default=ROOT / "artifacts" / "loadtest")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    acknowledged_file = args.output / "acknowledged.txt"
    acknowledged_file.unlink(missing_ok=True)

    cluster = Cluster()
    redis = Redis(args.output)
    servers: list[subprocess.Popen] = []
    try:
        cluster.start()
        redis.start()
        as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "medborgarlofte")
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            "CACHE_URL": redis.url,
            "LOG_LEVEL": "INFO",
            "DEBUG": "0",
            "CONN_MAX_AGE": "60",
            "AXES_FAILURE_LIMIT": "1000",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        print("== preparing the database (migrate, promise, demo data)", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_promise", "data/medborgarlofte-2022-jonkoping.yaml")
        manage(env, "seed_demo")
        bases = []
        for number in (1, 2):
            port = free_port()
            servers.append(start_server(env, port, args.output / f"server{number}.log"))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            if wait_for(base + "/", 30) is None:
                print(f"gunicorn did not start at {base}", file=sys.stderr)
                return 1
        print(f"== load: {args.users} users for {args.seconds} s against {' and '.join(bases)}", flush=True)
        locust = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "locust",
                "-f",
                str(ROOT / "loadtest" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 4)),
                "-t",
                f"{args.seconds}s",
                "--host",
                bases[0],
                "--csv",
                str(args.output / "locust"),
                "--only-summary",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT,
            env={**env, "ACKNOWLEDGED_FILE": str(acknowledged_file), "LOADTEST_HOSTS": " ".join(bases)},
        )
        # The faults: the database a third of the way in, Redis two thirds of the way in.
        started = time.monotonic()
        third = max(3, args.seconds // 3)
        time.sleep(third)
        print(f"== fault: database stopped for {args.outage} s", flush=True)
        cluster.stop()
        # An address no cache keeps, so it needs the database: "/" itself is served whole from
        # Redis to anonymous readers (followup/public_cache.py) and stays 200 through the outage,
        # and so does the national index searched (its list is kept per publication); a
        # municipality's page reads its promise.
        probe = bases[0] + "/jonkoping/?database-probe"
        down_status = probe_status(probe)
        time.sleep(args.outage)
        cluster.start()
        recovered = wait_for(probe, 30)
        print(f"== database started again; the app answered 200 after {recovered} s", flush=True)
        time.sleep(max(0.0, started + 2 * third - time.monotonic()))
        print(f"== fault: Redis stopped for {args.outage} s", flush=True)
        redis.stop()
        redis_down_status = [probe_status(base + "/") for base in bases]
        time.sleep(args.outage)
        redis.start()
        print(f"== Redis started again; status while it was away: {redis_down_status}", flush=True)
        locust.wait(timeout=args.seconds + 120)
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        servers = []
        faults = Faults(down_status, recovered, redis_down_status)
        return report(args.output, acknowledged_file, cluster, faults, len(bases))
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        redis.stop()
        cluster.remove()


class Faults:
    def __init__(self, down_status, recovered, redis_down_status) -> None:
        self.down_status = down_status
        self.recovered = recovered
        self.redis_down_status = redis_down_status


LOGGED = re.compile(r"^(\S+ \S+) \w+ medborgarlofte\.cache (computed (dashboard:\S+)|Redis unavailable)")


def server_log(output: Path, servers: int) -> tuple[list[tuple[dt.datetime, str, int]], list[dt.datetime]]:
    """From the servers' logs: every dashboard computation (when, its key, which server), and
    when they found Redis away. Times as the servers log them (Django's TIME_ZONE)."""
    computed, unavailable = [], []
    for number in range(1, servers + 1):
        for line in (output / f"server{number}.log").read_text(encoding="utf-8", errors="replace").splitlines():
            match = LOGGED.match(line)
            if match:
                when = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")  # noqa: DTZ007 (as logged)
                if match.group(3):
                    computed.append((when, match.group(3), number))
                else:
                    unavailable.append(when)
    return computed, unavailable


def probe_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except Exception:
        return None


def report(output: Path, acknowledged_file: Path, cluster: Cluster, faults: "Faults", servers: int) -> int:
    stats = list(csv.DictReader((output / "locust_stats.csv").open(encoding="utf-8")))
    failures = list(csv.DictReader((output / "locust_failures.csv").open(encoding="utf-8")))
    acknowledged = (
        {int(line) for line in acknowledged_file.read_text().split()} if acknowledged_file.exists() else set()
    )
    import psycopg2

    db = psycopg2.connect(host="127.0.0.1", port=cluster.port, user="postgres", dbname="medborgarlofte")
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT id FROM promises_activity WHERE id = ANY(%s)", (sorted(acknowledged),))
            found = {row[0] for row in cursor.fetchall()}
    finally:
        db.close()
    lines = ["| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|---|"]
    for row in stats:
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} "
            f"| {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    total = next(row for row in stats if row["Name"] == "Aggregated")
    error_rate = int(total["Failure Count"]) / max(1, int(total["Request Count"]))
    unexpected = [f for f in failures if "503" not in f["Error"] and "ConnectionRefused" not in f["Error"]]
    # A key computed more than once while Redis was up is work the lock should have saved;
    # while Redis is away every request computes, as it must (and the margin covers the
    # servers' first reconnect).
    # The outage as the servers saw it: from their first "Redis unavailable" to their last.
    done, unavailable = server_log(output, servers)
    if unavailable:
        outage = (min(unavailable), max(unavailable) + dt.timedelta(seconds=2))
        with_redis = [(when, key) for when, key, _ in done if not outage[0] <= when <= outage[1]]
    else:
        with_redis = [(when, key) for when, key, _ in done]
    keys = {key for _, key in with_redis}
    duplicated = len(with_redis) - len(keys)
    by_server = {number: sum(1 for *_, server in done if server == number) for number in range(1, servers + 1)}
    lines += [
        "",
        f"Error rate: {100 * error_rate:.2f} % (failures are expected only while the database is down)",
        f"Status while the database was down: {faults.down_status} (503 expected)",
        f"Recovered by itself after the restart: "
        f"{f'yes, in {faults.recovered:.1f} s' if faults.recovered is not None else 'NO'}",
        f"Status while Redis was down, per server: {faults.redis_down_status} (200 expected)",
        f"Acknowledged creations: {len(acknowledged)}; found in the database: {len(found & acknowledged)}",
        f"Failures other than 503: {len(unexpected)}",
        f"Dashboard computations: {len(done)} on {servers} servers ({by_server}); with Redis up, "
        f"{len(with_redis)} for {len(keys)} distinct revisions, so {duplicated} computed twice",
    ]
    text = "\n".join(lines)
    (output / "report.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    ok = (
        acknowledged
        and found == acknowledged
        and faults.down_status == 503
        and faults.recovered is not None
        and all(status == 200 for status in faults.redis_down_status)
        and not unexpected
        and len(keys) > 0
        and duplicated == 0
    )
    print("== loadtest", "PASSED" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
