"""A backup restores into a fresh database with every row."""

import sqlite3
import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from promises.models import Activity, Promise, Target
from promises.services import ActivityData, activity_create
from tests.factories import World

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(cursor) -> dict[str, int]:
    counts = {}
    for table in ("promises_activity", "promises_historicalactivity", "promises_target", "promises_user"):
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _revisions(cursor) -> set[uuid.UUID]:
    # A restore gives every promise a new revision and rules revision, so no cache key of the
    # old timeline returns.
    cursor.execute("SELECT revision, rules_revision FROM promises_promise")
    return {uuid.UUID(str(value)) for row in cursor.fetchall() for value in row}


def test_backup_and_restore_into_a_fresh_database(tmp_path):
    world = World()
    for quantity in (1, 2, 3):
        activity_create(
            user=world.officer,
            data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=world.today, quantity=quantity),
        )
    with connection.cursor() as cursor:
        expected = _rows(cursor)
    assert expected["promises_activity"] == Activity.objects.count() == 3
    assert expected["promises_target"] == Target.objects.count()
    before = {value for promise in Promise.objects.all() for value in (promise.revision, promise.rules_revision)}
    assert len(before) == 2 * Promise.objects.count() > 0
    backup = tmp_path / "backup.dump"
    call_command("backup", output=backup)
    assert backup.stat().st_size > 0

    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        fresh = f"restore_test_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(dbname="postgres", user=settings["USER"], host=settings["HOST"], port=settings["PORT"])
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {fresh}")
        try:
            url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{fresh}"
            call_command("restore", str(backup), database_url=url, yes=True)
            restored = psycopg2.connect(
                dbname=fresh, user=settings["USER"], host=settings["HOST"], port=settings["PORT"]
            )
            with restored.cursor() as cursor:
                assert _rows(cursor) == expected
                assert _revisions(cursor).isdisjoint(before)
            restored.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {fresh}")
            admin.close()
    else:
        fresh = tmp_path / "fresh.sqlite3"
        call_command("restore", str(backup), database_url=f"sqlite:///{fresh}", yes=True)
        restored = sqlite3.connect(fresh)
        try:
            assert _rows(restored.cursor()) == expected
            assert _revisions(restored.cursor()).isdisjoint(before)
        finally:
            restored.close()
