"""A chart is announced once: its caption says the summary; the drawing is hidden from screen readers."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.factories import World

pytestmark = pytest.mark.django_db


def test_chart_summary_is_announced_once(client):
    world = World(year=2022)
    world.log(world.patrol, 30, date(2022, 2, 1))
    client.force_login(world.manager)
    body = client.get(reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1").content.decode()
    summary = client.get(reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1").context["summary"]
    canvases = re.findall(r'<div class="chart-canvas"[^>]*>', body)
    assert canvases, body
    assert all('aria-hidden="true"' in canvas and "role=" not in canvas for canvas in canvases)
    assert body.count(f"<figcaption>{summary}</figcaption>") == 1
    assert 'role="img"' not in body
