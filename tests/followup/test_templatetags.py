import json

from django.utils.html import json_script

from followup.templatetags.followup_tags import chart_json, period_word


def test_chart_json_is_json_script_with_a_faster_encoder():
    figure = {"data": [{"name": "</script><b>&", "y": [1, 2.5]}], "layout": {"separators": ", "}}
    ours = str(chart_json(figure, "chart-1"))
    django = str(json_script(figure, "chart-1"))
    assert ours.replace(" ", "") == django.replace(" ", "")
    assert "</script><b>" not in ours
    payload = ours.split(">", 1)[1].rsplit("<", 1)[0]
    assert json.loads(payload) == figure


def test_period_word_in_swedish():
    assert (period_word("week"), period_word("month"), period_word("")) == ("vecka", "månad", "")
