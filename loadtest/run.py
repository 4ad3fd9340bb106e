"""The load and fault run: gunicorn on a throwaway PostgreSQL cluster, locust traffic, and the
database stopped for a few seconds in the middle of it.

    python -m loadtest.run --seconds 30

Loopback only, bounded in time and count. It creates its own PostgreSQL cluster (initdb as
the postgres user in a temporary folder, on a free port), so it never touches another
database. It fails (exit 1) when an acknowledged entry is missing from the database, when the
app answered with a 5xx other than 503 while the database was down, or when it did not
recover by itself after the database came back.
"""

import argparse
import contextlib
import csv
import os
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=120, help="length of the traffic (default 120)")
    parser.add_argument("--users", type=int, default=20, help="simulated users (default 20)")
    parser.add_argument("--outage", type=int, default=5, help="seconds the database is down (default 5)")
    parser.add_argument("--output", type=Path, default=ROOT / "artifacts" / "loadtest")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    acknowledged_file = args.output / "acknowledged.txt"
    acknowledged_file.unlink(missing_ok=True)

    cluster = Cluster()
    gunicorn = None
    try:
        cluster.start()
        as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "medborgarlofte")
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            "DEBUG": "0",
            "CONN_MAX_AGE": "60",
            "AXES_FAILURE_LIMIT": "1000",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        print("== preparing the database (migrate, promise, demo data)", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_promise", "data/medborgarlofte-2022-jonkoping.yaml")
        manage(env, "seed_demo")
        gunicorn = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "medborgarlofte.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "3",
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
        )
        base = f"http://127.0.0.1:{port}"
        if wait_for(base + "/", 30) is None:
            print("gunicorn did not start", file=sys.stderr)
            return 1
        print(f"== load: {args.users} users for {args.seconds} s against {base}", flush=True)
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
                base,
                "--csv",
                str(args.output / "locust"),
                "--only-summary",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT,
            env={**env, "ACKNOWLEDGED_FILE": str(acknowledged_file)},
        )
        # The fault: stop the database a third of the way in, start it again after the outage.
        time.sleep(max(3, args.seconds // 3))
        print(f"== fault: database stopped for {args.outage} s", flush=True)
        cluster.stop()
        down_status = probe_status(base + "/")
        time.sleep(args.outage)
        cluster.start()
        recovered = wait_for(base + "/", 30)
        print(f"== database started again; the app answered 200 after {recovered} s", flush=True)
        locust.wait(timeout=args.seconds + 120)
        return report(args.output, acknowledged_file, cluster, down_status, recovered)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        cluster.remove()


def probe_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except Exception:
        return None


def report(output: Path, acknowledged_file: Path, cluster: Cluster, down_status, recovered) -> int:
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
    lines += [
        "",
        f"Error rate: {100 * error_rate:.2f} % (failures are expected only while the database is down)",
        f"Status while the database was down: {down_status} (503 expected)",
        f"Recovered by itself after the restart: {f'yes, in {recovered:.1f} s' if recovered is not None else 'NO'}",
        f"Acknowledged creations: {len(acknowledged)}; found in the database: {len(found & acknowledged)}",
        f"Failures other than 503: {len(unexpected)}",
    ]
    text = "\n".join(lines)
    (output / "report.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    ok = acknowledged and found == acknowledged and down_status == 503 and recovered is not None and not unexpected
    print("== loadtest", "PASSED" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
