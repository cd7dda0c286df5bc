"""Logging fit for a phone: today by default, times or a duration, save and add another, duplicate, clear overlaps,
a privacy screen that knows the trainee's own names, and an hours chart readable on a narrow screen."""

from datetime import time, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.roles import SUPERVISOR
from practice.chart import hours_chart
from practice.models import Organisation, PracticeEntry
from practice.rules import known_words, privacy_findings
from practice.services import EntryInvalid, entries_submit, entry_create
from practice.totals import hours_totals
from tests.factories import PASSWORD, UserFactory, build_assignment, entry_data

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)


@pytest.fixture
def assignment():
    supervisor = UserFactory(first_name="Marguerite", last_name="Okonkwo", roles=[SUPERVISOR])
    organisation = Organisation.objects.create(name="Riverside Wellbeing Collective")
    return build_assignment(supervisor=supervisor, organisation=organisation)


@pytest.fixture
def trainee_client(client, assignment):
    assert client.login(username=assignment.trainee.username, password=PASSWORD)
    return client


def _html(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def _form_data(assignment, **overrides) -> dict:
    data = {
        "assignment": assignment.pk,
        "performed_on": YESTERDAY.isoformat(),
        "start_time": "",
        "end_time": "",
        "duration_hours": "1",
        "activity_type": "individual",
        "contact": "direct",
        "domains": [domain.pk for domain in entry_data(assignment).domains],
        "setting": "community",
        "delivery": "in_person",
        "reflection": "Listened well today.",
    }
    data.update(overrides)
    return data


# The date, and times or a duration


def test_a_new_entry_starts_on_today(trainee_client):
    soup = BeautifulSoup(trainee_client.get(reverse("practice_entry_new")).content, "html.parser")
    assert soup.find("input", {"name": "performed_on"})["value"] == timezone.localdate().isoformat()
    assert soup.find("input", {"name": "end_time"})["type"] == "time"


def test_start_and_end_times_give_the_duration(trainee_client, assignment):
    data = _form_data(assignment, start_time="09:00", end_time="10:45", duration_hours="")
    response = trainee_client.post(reverse("practice_entry_new"), data)
    assert response.status_code == 302
    entry = PracticeEntry.objects.get()
    assert (entry.start_time, entry.minutes) == (time(9, 0), 105)


@pytest.mark.parametrize(
    ("times", "field", "message"),
    [
        ({"duration_hours": ""}, "duration_hours", "Give the duration in hours, or a start and an end time."),
        ({"end_time": "10:00", "duration_hours": ""}, "start_time", "Add the start time too"),
        (
            {"start_time": "10:00", "end_time": "09:00", "duration_hours": ""},
            "end_time",
            "The end time must be after the start time. For work past midnight, give a duration.",
        ),
        (
            {"start_time": "09:00", "end_time": "10:30", "duration_hours": "2"},
            "duration_hours",
            "From 09:00 to 10:30 is 1.5 hours, not 2. Change one, or leave the duration empty.",
        ),
        ({"start_time": "09:00", "end_time": "09:10", "duration_hours": ""}, "duration_hours", "quarter hours"),
    ],
)
def test_times_and_durations_are_checked_with_clear_messages(trainee_client, assignment, times, field, message):
    response = trainee_client.post(reverse("practice_entry_new"), _form_data(assignment, **times))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    errors = soup.find(id=f"id_{field}_error")
    assert errors is not None, f"no errors shown on {field}"
    assert message in errors.get_text()
    assert not PracticeEntry.objects.exists()


def test_a_matching_duration_with_times_is_fine(trainee_client, assignment):
    data = _form_data(assignment, start_time="09:00", end_time="10:30", duration_hours="1.5")
    assert trainee_client.post(reverse("practice_entry_new"), data).status_code == 302
    assert PracticeEntry.objects.get().minutes == 90


# Save and add another; duplicate


def test_save_and_add_another_returns_to_a_fresh_form(trainee_client, assignment):
    data = _form_data(assignment, next="another")
    response = trainee_client.post(reverse("practice_entry_new"), data, follow=True)
    assert response.redirect_chain == [(reverse("practice_entry_new"), 302)]
    html = _html(response)
    assert "Here's a fresh form for the next one." in html
    assert "Listened well today." not in html
    assert PracticeEntry.objects.count() == 1
    response = trainee_client.post(reverse("practice_entry_new"), _form_data(assignment))
    assert response.url == reverse("practice_log")
    assert PracticeEntry.objects.count() == 2


def test_the_form_offers_both_buttons_but_edit_only_one(trainee_client, assignment):
    html = _html(trainee_client.get(reverse("practice_entry_new")))
    assert 'name="next" value="another">Save and add another</button>' in html
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    html = _html(trainee_client.get(reverse("practice_entry_edit", args=[entry.pk])))
    assert "Save and add another" not in html


def test_duplicate_fills_in_everything_but_the_date(trainee_client, assignment):
    week_ago = timezone.localdate() - timedelta(days=7)
    original = entry_create(
        trainee=assignment.trainee,
        data=entry_data(
            assignment,
            performed_on=week_ago,
            start_time=time(14, 0),
            minutes=90,
            activity_type="group",
            setting="peer_run",
            reflection="Co-ran the Tuesday group; it found its own rhythm.",
        ),
    )
    detail = _html(trainee_client.get(reverse("practice_entry", args=[original.pk])))
    assert f'href="{reverse("practice_entry_duplicate", args=[original.pk])}">Duplicate' in detail
    response = trainee_client.get(reverse("practice_entry_duplicate", args=[original.pk]))
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("input", {"name": "performed_on"})["value"] == timezone.localdate().isoformat()
    assert soup.find("input", {"name": "start_time"})["value"] == "14:00"
    assert soup.find("input", {"name": "duration_hours"})["value"] == "1.5"
    assert soup.find("select", {"name": "activity_type"}).find("option", selected=True)["value"] == "group"
    assert "Co-ran the Tuesday group" in soup.find("textarea", {"name": "reflection"}).get_text()
    assert "Everything is filled in from that entry except the date, which is today." in _html(response)
    data = _form_data(
        assignment,
        performed_on=timezone.localdate().isoformat(),
        start_time="14:00",
        duration_hours="1.5",
        activity_type="group",
    )
    assert trainee_client.post(reverse("practice_entry_duplicate", args=[original.pk]), data).status_code == 302
    copy = PracticeEntry.objects.exclude(pk=original.pk).get()
    assert (copy.performed_on, copy.activity_type, copy.status) == (timezone.localdate(), "group", "draft")


def test_nobody_duplicates_someone_elses_entry(client, assignment):
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    other = build_assignment()
    client.login(username=other.trainee.username, password=PASSWORD)
    assert client.get(reverse("practice_entry_duplicate", args=[entry.pk])).status_code == 404


def test_an_approved_entry_can_be_duplicated_and_stays_as_it_was(trainee_client, assignment):
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    response = trainee_client.get(reverse("practice_entry_duplicate", args=[entry.pk]))
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.status == "submitted"


# Overlaps name the other entry


def test_an_overlap_names_the_other_entry_and_links_to_it(trainee_client, assignment):
    other = entry_create(trainee=assignment.trainee, data=entry_data(assignment, start_time=time(9, 0), minutes=90))
    data = _form_data(assignment, start_time="10:00", end_time="11:00", duration_hours="")
    html = _html(trainee_client.post(reverse("practice_entry_new"), data))
    assert f"This overlaps another entry from 09:00 to 10:30 on {YESTERDAY:%-d %b %Y}." in html
    soup = BeautifulSoup(html, "html.parser")
    link = soup.find("a", string="Open the entry it overlaps")
    assert link["href"] == reverse("practice_entry", args=[other.pk])
    assert not link.find_parent("a")  # not nested inside the error summary's own links


# The privacy screen


def test_the_screen_lets_through_the_trainees_own_placement_and_supervisor(assignment):
    trainee = assignment.trainee
    text = (
        f"Debriefed with Marguerite Okonkwo after the group, then met with Riverside Wellbeing Collective staff. "
        f"Wrote it up with {trainee.first_name}."
    )
    entry = entry_create(trainee=trainee, data=entry_data(assignment, reflection=text))
    assert entry.privacy_confirmation == ""
    known = known_words(["Marguerite Okonkwo"])
    assert privacy_findings("Met with Marguerite", known=known) == []
    assert [f.text for f in privacy_findings("Met with Marguerite Jones", known=known)] == ["Marguerite Jones"]


def test_a_placement_is_known_by_its_name_not_by_one_word_of_it(assignment):
    known = known_words(["Sam Okafor"], places=["Maria Lopez Recovery Centre", "Harbour"])

    def flagged(text):
        return [finding.text for finding in privacy_findings(text, known=known)]

    assert flagged("Met with Maria Lopez Recovery Centre staff") == []
    assert flagged("Met with Maria Lopez Recovery staff") == []  # a run of its words
    assert flagged("Met with Harbour staff") == []  # a one-word placement
    assert flagged("Met with Sam after the group") == []  # a supervisor's first name
    assert flagged("Sat with Maria while she waited") == ["Maria"]
    assert flagged("Sat with Lopez for an hour") == ["Lopez"]
    assert flagged("Walked with Maria Okafor to the bus") == ["Maria Okafor"]


def test_the_trainees_placement_words_dont_excuse_a_persons_name(assignment):
    Organisation.objects.filter(pk=assignment.organisation_id).update(name="Jordan House")
    with pytest.raises(EntryInvalid) as caught:
        entry_create(
            trainee=assignment.trainee, data=entry_data(assignment, reflection="Spent the morning with Jordan.")
        )
    assert "“Jordan”" in str(caught.value)
    entry = entry_create(
        trainee=assignment.trainee, data=entry_data(assignment, reflection="Spent the morning with Jordan House staff.")
    )
    assert entry.privacy_confirmation == ""


def test_another_name_asks_the_trainee_to_reword_or_confirm(trainee_client, assignment):
    data = _form_data(assignment, reflection="Planned the session with Priya before the doors opened.")
    html = _html(trainee_client.post(reverse("practice_entry_new"), data))
    assert "What looks like a person's name: “Priya”" in html
    assert "tick the box below and say in a line who it is" in html
    assert "I've checked: the names flagged above are not people I support" in html
    assert not PracticeEntry.objects.exists()
    data["privacy_confirmed"] = "on"
    html = _html(trainee_client.post(reverse("practice_entry_new"), data))
    assert "Say in one line who or what they are, so your supervisor knows." in html
    assert not PracticeEntry.objects.exists()


def test_a_confirmed_name_is_kept_in_history_and_shown_to_the_supervisor(client, trainee_client, assignment):
    data = _form_data(
        assignment,
        reflection="Planned the session with Priya before the doors opened.",
        privacy_confirmed="on",
        privacy_reason="Priya is my co-facilitator",
    )
    assert trainee_client.post(reverse("practice_entry_new"), data).status_code == 302
    entry = PracticeEntry.objects.get()
    assert entry.privacy_confirmation == "“Priya”: not a person I support (Priya is my co-facilitator)"
    assert entry.history.order_by("history_date", "history_id").first().history_change_reason == (
        "Created. Privacy check confirmed by the trainee: “Priya”: not a person I support (Priya is my co-facilitator)"
    )
    detail = _html(trainee_client.get(reverse("practice_entry", args=[entry.pk])))
    assert "Privacy check: you confirmed “Priya”: not a person I support (Priya is my co-facilitator)" in detail
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    client.logout()
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    review = _html(client.get(reverse("practice_review_batch", args=[batch.pk])))
    assert "the trainee confirmed “Priya”: not a person I support (Priya is my co-facilitator)." in review


def test_contact_details_cannot_be_confirmed_away(assignment):
    with pytest.raises(EntryInvalid) as caught:
        entry_create(
            trainee=assignment.trainee,
            data=entry_data(
                assignment, reflection="Called Priya on 07700 900123.", privacy_reason="She's my colleague"
            ),
        )
    assert caught.value.codes == ["privacy"]
    assert not PracticeEntry.objects.exists()


@pytest.mark.parametrize(
    "reason, found",
    [
        ("Priya is a colleague, her mobile is 07700 900123", "A phone number"),
        ("Priya, priya.k@example.com, works on reception", "An email address"),
    ],
)
def test_the_reason_itself_is_screened_for_contact_details(trainee_client, assignment, reason, found):
    data = _form_data(
        assignment,
        reflection="Planned the session with Priya before the doors opened.",
        privacy_confirmed="on",
        privacy_reason=reason,
    )
    html = _html(trainee_client.post(reverse("practice_entry_new"), data))
    assert f"Your reason holds: {found}" in html
    assert not PracticeEntry.objects.exists()
    with pytest.raises(EntryInvalid) as caught:
        entry_create(
            trainee=assignment.trainee,
            data=entry_data(
                assignment, reflection="Planned the session with Priya before the doors opened.", privacy_reason=reason
            ),
        )
    assert caught.value.codes == ["privacy_reason"]
    assert not PracticeEntry.objects.exists()


def test_a_reason_of_invisible_characters_is_no_reason(trainee_client, assignment):
    data = _form_data(
        assignment,
        reflection="Planned the session with Priya before the doors opened.",
        privacy_confirmed="on",
        privacy_reason=" \u200b\u2060 ",
    )
    html = _html(trainee_client.post(reverse("practice_entry_new"), data))
    assert "Say in one line who or what they are, so your supervisor knows." in html
    assert not PracticeEntry.objects.exists()


def test_an_edit_that_removes_the_name_clears_the_confirmation(trainee_client, assignment):
    entry = entry_create(
        trainee=assignment.trainee,
        data=entry_data(assignment, reflection="Prepared with Priya.", privacy_reason="co-facilitator"),
    )
    assert entry.privacy_confirmation
    data = _form_data(assignment, reflection="Prepared with my co-facilitator.")
    assert trainee_client.post(reverse("practice_entry_edit", args=[entry.pk]), data).status_code == 302
    entry.refresh_from_db()
    assert entry.privacy_confirmation == ""
    assert entry.history.first().history_change_reason == "Edited"


# The chart on a narrow screen, and the filters


def test_the_narrow_chart_is_text_with_bars_in_percent(trainee_client, assignment):
    entry_create(trainee=assignment.trainee, data=entry_data(assignment, minutes=120))
    chart = hours_chart(hours_totals(trainee=assignment.trainee))
    (individual,) = [bar for bar in chart.bars if bar.label == "Individual peer support"]
    assert individual.pending_percent == 0 and individual.approved_percent == 0
    soup = BeautifulSoup(trainee_client.get(reverse("practice_log")).content, "html.parser")
    narrow = soup.select_one(".hours-bars")
    labels = [span.get_text() for span in narrow.select(".hours-bar-label")]
    assert "Documentation and other indirect work" in labels  # whole, as page text
    assert [h.get_text() for h in narrow.select(".hours-bars-heading")] == [
        "Activity type",
        "Direct or indirect",
        "Competency domain",
    ]
    assert narrow.select_one("svg")["aria-hidden"] == "true"


def test_the_filters_fold_away_until_used(trainee_client):
    soup = BeautifulSoup(trainee_client.get(reverse("practice_log")).content, "html.parser")
    details = soup.select_one("details.filters-toggle")
    assert details.summary.get_text(strip=True) == "Filter entries"
    assert not details.has_attr("open")
    soup = BeautifulSoup(trainee_client.get(reverse("practice_log"), {"status": "draft"}).content, "html.parser")
    details = soup.select_one("details.filters-toggle")
    assert details.has_attr("open")
    assert details.summary.get_text(strip=True) == "Filter entries (filters on)"


# Query counts


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_duplicate_page_costs_the_same_for_1_or_40_entries(trainee_client, assignment):
    first = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    url = reverse("practice_entry_duplicate", args=[first.pk])
    _queries(trainee_client, url)
    few = _queries(trainee_client, url)
    for days in range(2, 41):
        entry_create(
            trainee=assignment.trainee,
            data=entry_data(assignment, performed_on=timezone.localdate() - timedelta(days=days)),
        )
    assert _queries(trainee_client, url) == few


def test_invisible_characters_dont_hide_a_number_from_the_trainees_screen(assignment):
    with pytest.raises(EntryInvalid) as caught:
        entry_create(
            trainee=assignment.trainee,
            data=entry_data(assignment, reflection="Called back on 07700\u200b900123 after the group."),
        )
    assert caught.value.codes == ["privacy"]
