"""Reviewing a batch in one pass: a decision per entry applied together, what changed since a return, and progress."""

from datetime import time, timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import CompetencyDomain
from lms.roles import SUPERVISOR, TRAINEE
from practice.changes import changes_since_return
from practice.models import Attestation, Batch, PracticeEntry, SupervisorProfile
from practice.review import APPROVE, LATER, RETURN, Decision, ReviewInvalid, batch_review
from practice.selectors import entries_for_list
from practice.services import PracticeError, entries_return, entries_submit, entry_create, entry_update
from tests.factories import PASSWORD, UserFactory, build_assignment, entry_data

pytestmark = pytest.mark.django_db

Status = PracticeEntry.Status


@pytest.fixture
def assignment():
    return build_assignment(
        trainee=UserFactory(first_name="Robin", last_name="Ash", roles=[TRAINEE]),
        supervisor=UserFactory(first_name="Sam", last_name="Okafor", roles=[SUPERVISOR]),
    )


def _log(assignment, count=3, **overrides):
    """`count` entries, four a day from yesterday back, four hours apart so an edit to 90 minutes overlaps nothing."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return [
        entry_create(
            trainee=assignment.trainee,
            data=entry_data(
                assignment,
                **{
                    "performed_on": yesterday - timedelta(days=n // 4),
                    "start_time": time(6 + 4 * (n % 4)),
                    **overrides,
                },
            ),
        )
        for n in range(count)
    ]


def _submit(assignment, entries):
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk for entry in entries])
    return batch


def _statuses(entries):
    return [PracticeEntry.objects.get(pk=entry.pk).status for entry in entries]


@pytest.fixture
def waiting(assignment):
    entries = _log(assignment)
    return _submit(assignment, entries), entries


def _refusal(supervisor, batch_id: int, decisions: list[Decision]) -> str:
    """The error code batch_review refuses these decisions with (attested)."""
    with pytest.raises(PracticeError) as caught:
        batch_review(supervisor=supervisor, batch_id=batch_id, decisions=decisions, attested=True)
    return caught.value.code


# The service


def test_mixed_decisions_apply_together_with_one_attestation_and_each_comment(
    assignment, waiting, django_capture_on_commit_callbacks
):
    batch, entries = waiting
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = batch_review(
            supervisor=assignment.supervisor,
            batch_id=batch.pk,
            decisions=[
                Decision(entries[0].pk, APPROVE),
                Decision(entries[1].pk, RETURN, "  Please add the setting.  "),
                Decision(entries[2].pk, APPROVE),
            ],
            attested=True,
        )
    assert _statuses(entries) == [Status.APPROVED, Status.RETURNED, Status.APPROVED]
    assert [entry.pk for entry in outcome.approved] == [entries[0].pk, entries[2].pk]
    assert [entry.pk for entry in outcome.returned] == [entries[1].pk]
    assert outcome.still_waiting == 0
    attestation = Attestation.objects.get()
    assert attestation.signed_name == "Sam Okafor" and attestation.credentials == "CPS Supervisor, Testland S-1"
    assert set(attestation.entries.values_list("pk", flat=True)) == {entries[0].pk, entries[2].pk}
    returned = PracticeEntry.objects.get(pk=entries[1].pk)
    assert returned.return_comment == "Please add the setting."
    assert returned.history.first().history_change_reason == "Returned: Please add the setting."
    assert returned.history.first().history_user == assignment.supervisor
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.REVIEWED
    assert sorted(message.subject for message in mail.outbox) == [
        "Sam Okafor approved 2 hours of your practice",
        "Sam Okafor returned 1 entry for a change",
    ]


def test_each_return_keeps_its_own_comment_and_later_leaves_an_entry_waiting(assignment, waiting):
    batch, entries = waiting
    outcome = batch_review(
        supervisor=assignment.supervisor,
        batch_id=batch.pk,
        decisions=[
            Decision(entries[0].pk, RETURN, "Add the setting."),
            Decision(entries[1].pk, RETURN, "Say which domains."),
            Decision(entries[2].pk, LATER),
        ],
        attested=False,  # nothing approved, so no attestation is needed
    )
    assert _statuses(entries) == [Status.RETURNED, Status.RETURNED, Status.SUBMITTED]
    assert [PracticeEntry.objects.get(pk=entry.pk).return_comment for entry in entries[:2]] == [
        "Add the setting.",
        "Say which domains.",
    ]
    assert outcome.still_waiting == 1 and outcome.attestation is None
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.SUBMITTED
    assert not Attestation.objects.exists()


def test_every_missing_comment_is_named_and_nothing_is_saved(assignment, waiting):
    batch, entries = waiting
    with pytest.raises(ReviewInvalid) as caught:
        batch_review(
            supervisor=assignment.supervisor,
            batch_id=batch.pk,
            decisions=[
                Decision(entries[0].pk, APPROVE),
                Decision(entries[1].pk, RETURN, "   "),
                Decision(entries[2].pk, RETURN, "Sat with client Jane Doe? Please reword."),
            ],
            attested=False,
        )
    problems = {(problem.entry_id, problem.code) for problem in caught.value.problems}
    assert problems == {
        (entries[1].pk, "comment_required"),
        (entries[2].pk, "privacy"),
        (None, "attestation_required"),
    }
    assert "Write a comment so the trainee knows what to change." in caught.value.message
    assert _statuses(entries) == [Status.SUBMITTED] * 3
    assert not Attestation.objects.exists()


def test_nobody_reviews_their_own_hours_or_another_supervisors_trainee(assignment, waiting):
    batch, entries = waiting
    decisions = [Decision(entry.pk, APPROVE) for entry in entries]
    other_supervisor = build_assignment().supervisor
    assert _refusal(other_supervisor, batch.pk, decisions) == "not_your_trainee"
    assert _refusal(assignment.trainee, batch.pk, decisions) == "own_entries"
    assert _refusal(assignment.supervisor, batch.pk + 1000, decisions) == "not_found"
    assert _statuses(entries) == [Status.SUBMITTED] * 3


def test_a_supervisor_who_lost_the_role_is_refused(assignment, waiting):
    batch, entries = waiting
    assignment.supervisor.groups.clear()
    assert (
        _refusal(
            type(assignment.supervisor).objects.get(pk=assignment.supervisor.pk),
            batch.pk,
            [Decision(entries[0].pk, APPROVE)],
        )
        == "not_your_trainee"
    )


def test_an_entry_reviewed_meanwhile_or_from_another_batch_refuses_the_whole_review(assignment, waiting):
    batch, entries = waiting
    entries_return(supervisor=assignment.supervisor, batch_id=batch.pk, entry_ids=[entries[0].pk], comment="Fix it.")
    assert (
        _refusal(assignment.supervisor, batch.pk, [Decision(entry.pk, APPROVE) for entry in entries])
        == "already_reviewed"
    )
    assert _statuses(entries) == [Status.RETURNED, Status.SUBMITTED, Status.SUBMITTED]
    other_batch = _submit(assignment, _log(assignment, 1, performed_on=timezone.localdate() - timedelta(days=9)))
    stranger = other_batch.entries.get()
    assert (
        _refusal(assignment.supervisor, batch.pk, [Decision(entries[1].pk, APPROVE), Decision(stranger.pk, APPROVE)])
        == "already_reviewed"
    )
    assert _statuses([entries[1], stranger]) == [Status.SUBMITTED, Status.SUBMITTED]


def test_nothing_decided_and_no_profile_are_refused(assignment, waiting):
    batch, entries = waiting
    assert (
        _refusal(assignment.supervisor, batch.pk, [Decision(entry.pk, LATER) for entry in entries]) == "nothing_decided"
    )
    SupervisorProfile.objects.filter(user=assignment.supervisor).delete()
    assert (
        _refusal(
            assignment.supervisor,
            batch.pk,
            [Decision(entries[0].pk, APPROVE), Decision(entries[1].pk, RETURN, "Add more.")],
        )
        == "no_profile"
    )
    assert _statuses(entries) == [Status.SUBMITTED] * 3


# What changed since a return


def _return_and_resubmit(assignment, entry, comment="Please say more.", **changes):
    batch = Batch.objects.get(entries=entry)
    entries_return(supervisor=assignment.supervisor, batch_id=batch.pk, entry_ids=[entry.pk], comment=comment)
    values = {"start_time": entry.start_time, "performed_on": entry.performed_on, **changes}
    entry_update(trainee=assignment.trainee, entry_id=entry.pk, data=entry_data(assignment, **values))
    return _submit(assignment, [entry])


def _since(entries):
    fresh = list(entries_for_list(PracticeEntry.objects.filter(pk__in=[entry.pk for entry in entries])))
    return changes_since_return(entries=fresh)


def test_changes_since_a_return_are_listed_field_by_field(assignment, waiting):
    _, entries = waiting
    domains = list(CompetencyDomain.objects.order_by("sort_order", "name")[:2])
    _return_and_resubmit(
        assignment,
        entries[0],
        minutes=90,
        domains=domains,
        reflection="Listened more than I spoke. I noticed I wanted to fix things, and held back.",
    )
    since = _since(entries)
    assert set(since) == {entries[0].pk}  # the others were never returned
    found = since[entries[0].pk]
    assert found.comment == "Please say more." and found.returned_by == "Sam Okafor"
    changes = {change.label: (change.old, change.new) for change in found.changes}
    assert changes == {
        "Duration": ("1 h", "1.5 h"),
        "Competency domains": (domains[0].name, ", ".join(sorted(domain.name for domain in domains))),
        "Reflection": (
            "Listened more than I spoke, and noticed the difference it made.",
            "Listened more than I spoke. I noticed I wanted to fix things, and held back.",
        ),
    }
    assert [change.label for change in found.changes] == ["Duration", "Competency domains", "Reflection"]


def test_an_entry_sent_back_unchanged_says_so(assignment, waiting):
    _, entries = waiting
    _return_and_resubmit(assignment, entries[1])
    assert _since(entries)[entries[1].pk].changes == []


def test_changes_count_from_the_last_return(assignment, waiting):
    _, entries = waiting
    _return_and_resubmit(assignment, entries[0], minutes=90)
    _return_and_resubmit(assignment, entries[0], comment="One more thing.", minutes=90, setting="crisis")
    found = _since(entries)[entries[0].pk]
    assert found.comment == "One more thing."
    assert [(change.label, change.old, change.new) for change in found.changes] == [
        ("Setting", "Community", "Crisis service")
    ]


# The page


def _page(client, batch):
    return client.get(reverse("practice_review_batch", args=[batch.pk]))


def _post(client, batch, data):
    return client.post(reverse("practice_review_batch", args=[batch.pk]), data)


def _form_data(entries, decisions, comments=None, **extra):
    data = {f"decision_{entry.pk}": decision for entry, decision in zip(entries, decisions, strict=True)}
    data |= {f"comment_{entry.pk}": comment for entry, comment in zip(entries, comments or [], strict=False)}
    return data | extra


def test_the_page_offers_a_labelled_decision_per_entry(client, assignment, waiting):
    batch, entries = waiting
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    soup = BeautifulSoup(_page(client, batch).content, "html.parser")
    fieldsets = soup.select("fieldset.decision")
    assert len(fieldsets) == 3
    for fieldset, entry in zip(fieldsets, entries, strict=True):
        assert fieldset.legend.get_text(" ", strip=True).startswith("Your decision on ")
        radios = fieldset.select("input[type=radio]")
        assert [radio["value"] for radio in radios] == [APPROVE, RETURN, LATER]
        assert all(radio["name"] == f"decision_{entry.pk}" for radio in radios)
        assert radios[0].has_attr("checked")  # approving is the default, so one entry can be returned in one pass
        for radio in radios:
            assert soup.select_one(f'label[for="{radio["id"]}"]').get_text(strip=True)
        comment = fieldset.select_one("textarea")
        assert soup.select_one(f'label[for="{comment["id"]}"]').get_text(strip=True).startswith("Comment for")
    assert soup.find("button", string="Save my decisions")
    assert soup.find("button", string="Approve all 3 entries")["name"] == "approve_all"
    progress = soup.find("a", string="Robin Ash's progress against the programme")
    assert progress["href"] == reverse("practice_trainee_progress", args=[assignment.trainee.pk])


def test_one_submit_returns_one_entry_and_approves_the_rest(client, assignment, waiting):
    batch, entries = waiting
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    response = _post(
        client,
        batch,
        _form_data(entries, [APPROVE, RETURN, APPROVE], ["", "Please add the setting.", ""], attested="on"),
    )
    assert response.status_code == 302 and response.url == reverse("practice_review")
    assert _statuses(entries) == [Status.APPROVED, Status.RETURNED, Status.APPROVED]
    queue = client.get(response.url).content.decode()
    assert "Approved 2 entries and returned 1 entry with your comments. The trainee has been emailed." in queue


def test_a_return_without_a_comment_keeps_every_choice_and_says_which_entry(client, assignment, waiting):
    batch, entries = waiting
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    response = _post(
        client,
        batch,
        _form_data(entries, [RETURN, LATER, RETURN], ["Please add the setting.", "", ""], attested="on"),
    )
    assert response.status_code == 200
    assert _statuses(entries) == [Status.SUBMITTED] * 3
    soup = BeautifulSoup(response.content, "html.parser")
    summary = soup.select_one(".error-summary")
    assert summary.h2.get_text(strip=True) == "Nothing has been saved yet. Please check:"
    (link,) = summary.select("a")
    assert link.get_text() == (
        f"{entries[2].performed_on:%a %-d %b %Y}, 1 h, Individual peer support: "
        "Write a comment so the trainee knows what to change."
    )
    assert link["href"] == f"#id_comment_{entries[2].pk}"
    assert soup.select_one(f"#id_comment_{entries[2].pk}")["aria-invalid"] == "true"
    # Nothing lost: every decision and comment is as the supervisor left it.
    assert soup.select_one(f"#id_comment_{entries[0].pk}").get_text().strip() == "Please add the setting."
    checked = [soup.select_one(f'input[name="decision_{entry.pk}"][checked]')["value"] for entry in entries]
    assert checked == [RETURN, LATER, RETURN]
    assert soup.select_one("#id_attested").has_attr("checked")


def test_a_made_up_decision_is_refused_and_linked_to_the_entrys_first_choice(client, assignment, waiting):
    batch, entries = waiting
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    response = _post(client, batch, _form_data(entries, ["approve-everything", LATER, LATER], attested="on"))
    soup = BeautifulSoup(response.content, "html.parser")
    (link,) = soup.select(".error-summary a")
    assert link["href"] == f"#id_decision_{entries[0].pk}_0"
    assert soup.select_one(link["href"])["value"] == APPROVE
    assert "Select a valid choice." in link.get_text()
    assert _statuses(entries) == [Status.SUBMITTED] * 3


def test_approving_needs_the_attestation(client, assignment, waiting):
    batch, entries = waiting
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    response = _post(client, batch, _form_data(entries, [APPROVE, LATER, LATER]))
    assert "Tick “I supervised these hours” to approve entries." in response.content.decode()
    assert _statuses(entries) == [Status.SUBMITTED] * 3
    response = _post(client, batch, {"approve_all": "1"})
    assert "Tick “I supervised these hours” to approve entries." in response.content.decode()
    assert _statuses(entries) == [Status.SUBMITTED] * 3


def test_approve_all_is_a_shortcut_whatever_the_radios_say(client, assignment, waiting):
    batch, entries = waiting
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    response = _post(client, batch, _form_data(entries, [RETURN, LATER, LATER], attested="on", approve_all="1"))
    assert response.status_code == 302
    assert _statuses(entries) == [Status.APPROVED] * 3


def test_deciding_later_stays_on_the_batch(client, assignment, waiting):
    batch, entries = waiting
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    response = _post(client, batch, _form_data(entries, [APPROVE, LATER, LATER], attested="on"))
    assert response.url == reverse("practice_review_batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "Approved 1 entry. The trainee has been emailed. 2 entries still wait for your decision." in page
    assert page.count('class="decision"') == 2


def test_another_supervisor_gets_404_and_changes_nothing(client, waiting):
    batch, entries = waiting
    stranger = build_assignment().supervisor
    client.login(username=stranger.username, password=PASSWORD)
    assert _page(client, batch).status_code == 404
    assert _post(client, batch, _form_data(entries, [APPROVE] * 3, attested="on")).status_code == 404
    assert _statuses(entries) == [Status.SUBMITTED] * 3


def test_the_page_shows_what_changed_since_the_return(client, assignment, waiting):
    _, entries = waiting
    batch = _return_and_resubmit(assignment, entries[0], minutes=90, reflection="Now with what I learned.")
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    soup = BeautifulSoup(_page(client, batch).content, "html.parser")
    section = soup.select_one(".since-return")
    assert section.h3.get_text(strip=True).startswith("Changed since Sam Okafor returned it on")
    assert "The comment then: Please say more." in section.get_text()
    items = [" ".join(item.get_text(" ", strip=True).split()) for item in section.select(".changes > li")]
    assert items == [
        "Duration was 1 h → , now 1.5 h",
        "Reflection Before Listened more than I spoke, and noticed the difference it made."
        " Now Now with what I learned.",
    ]


# Query counts


def _review_page_queries(client, assignment, count: int, *, resubmitted: int) -> int:
    entries = _log(assignment, count)
    batch = _submit(assignment, entries)
    for entry in entries[:resubmitted]:
        entries_return(supervisor=assignment.supervisor, batch_id=batch.pk, entry_ids=[entry.pk], comment="More.")
        entry_update(
            trainee=assignment.trainee,
            entry_id=entry.pk,
            data=entry_data(assignment, start_time=entry.start_time, performed_on=entry.performed_on, minutes=45),
        )
    if resubmitted:
        batch = _submit(assignment, entries[:resubmitted])
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    url = reverse("practice_review_batch", args=[batch.pk])
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="decision"') == (resubmitted or count)
    client.logout()
    return len(captured)


def test_the_review_page_costs_the_same_whatever_the_number_of_entries(client):
    small = _review_page_queries(client, build_assignment(), 2, resubmitted=0)
    large = _review_page_queries(client, build_assignment(), 12, resubmitted=0)
    assert small == large
    small_changed = _review_page_queries(client, build_assignment(), 2, resubmitted=2)
    large_changed = _review_page_queries(client, build_assignment(), 12, resubmitted=12)
    assert small_changed == large_changed
    assert small_changed <= small + 4  # the history, its domains, placements and domain names


def test_saving_decisions_costs_the_same_whatever_the_number_of_entries(client):
    counts = {}
    for count in (2, 12):
        assignment = build_assignment()
        entries = _log(assignment, count)
        batch = _submit(assignment, entries)
        client.login(username=assignment.supervisor.username, password=PASSWORD)
        decisions = [RETURN] + [APPROVE] * (count - 1)
        with CaptureQueriesContext(connection) as captured:
            response = _post(client, batch, _form_data(entries, decisions, ["Add more."], attested="on"))
        assert response.status_code == 302
        counts[count] = len(captured)
        client.logout()
    assert counts[2] == counts[12], counts


# The trainee's progress


def test_progress_shows_all_approved_hours_against_the_targets(client, assignment, waiting):
    batch, entries = waiting
    batch_review(
        supervisor=assignment.supervisor,
        batch_id=batch.pk,
        decisions=[Decision(entry.pk, APPROVE) for entry in entries[:2]],
        attested=True,
    )
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    response = client.get(reverse("practice_trainee_progress", args=[assignment.trainee.pk]))
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == "Robin Ash's progress"
    headline = soup.select_one(".headline-figures").get_text(" ", strip=True)
    assert headline.startswith("2 h of practice approved, 1 h waiting")
    assert "No active programme sets hour targets" in soup.get_text()


def test_progress_is_404_for_a_trainee_someone_else_supervises(client, assignment):
    stranger = build_assignment().supervisor
    client.login(username=stranger.username, password=PASSWORD)
    assert client.get(reverse("practice_trainee_progress", args=[assignment.trainee.pk])).status_code == 404
    assert client.get(reverse("practice_trainee_progress", args=[stranger.pk])).status_code == 404


def test_progress_costs_the_same_for_a_long_log(client):
    counts = {}
    for count in (2, 12):
        assignment = build_assignment()
        _submit(assignment, _log(assignment, count))
        client.login(username=assignment.supervisor.username, password=PASSWORD)
        url = reverse("practice_trainee_progress", args=[assignment.trainee.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts[count] = len(captured)
        client.logout()
    assert counts[2] == counts[12], counts


def test_a_comment_of_invisible_characters_is_no_comment(assignment, waiting):
    batch, entries = waiting
    with pytest.raises(ReviewInvalid) as caught:
        batch_review(
            supervisor=assignment.supervisor,
            batch_id=batch.pk,
            decisions=[Decision(entries[0].pk, RETURN, " \u200b\u2060 ")],
            attested=False,
        )
    assert {(problem.entry_id, problem.code) for problem in caught.value.problems} == {
        (entries[0].pk, "comment_required")
    }
    assert _statuses(entries) == [Status.SUBMITTED] * 3
