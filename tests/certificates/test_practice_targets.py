"""The practice log's totals show the active programme's minimums as targets."""

import re

import pytest

from tests.factories import PASSWORD, approve_hours, build_assignment, build_programme, entry_data

pytestmark = pytest.mark.django_db


def test_the_hours_table_shows_each_programme_minimum_as_a_target(client):
    assignment = build_assignment()
    approve_hours(assignment, [entry_data(assignment, minutes=90)])
    build_programme(
        practice_hours=500, supervision_hours=25, domain_hours={"advocacy": 50}, activity_hours={"group": 30}
    )
    client.login(username=assignment.trainee.username, password=PASSWORD)
    html = client.get("/practice/").content.decode()
    rows = {
        re.sub(r"\s+", " ", label): target
        for label, target in re.findall(r'<th scope="row">([^<]+)</th>.*?data-label="Target">([^<]+)</td>', html)
    }
    assert rows["Practice"] == "500 h"
    assert rows["Supervision"] == "25 h"
    assert rows["Group facilitation"] == "30 h"
    assert rows["Advocacy"] == "50 h"
    assert rows["Outreach"] == "—"


def test_without_a_programme_there_is_no_target_column(client):
    assignment = build_assignment()
    client.login(username=assignment.trainee.username, password=PASSWORD)
    assert 'data-label="Target"' not in client.get("/practice/").content.decode()
