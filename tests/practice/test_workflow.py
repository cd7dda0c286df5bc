"""The sign-off workflow: drafts, batches, approval with attestation, returns, resubmission, withdrawal, reopening."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lms.roles import PROGRAMME_ADMIN
from practice.models import Attestation, Batch, PracticeEntry
from practice.services import (
    PracticeError,
    batch_withdraw,
    entries_approve,
    entries_return,
    entries_submit,
    entry_create,
    entry_delete,
    entry_reopen,
    entry_update,
)
from tests.factories import PASSWORD, UserFactory, build_assignment, entry_data, supervision_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment():
    return build_assignment(
        trainee=UserFactory(first_name="Robin", last_name="Ash"),
        supervisor=UserFactory(first_name="Sam", last_name="Okafor", roles=["Supervisor"]),
    )


def _log(assignment, count=3, **overrides):
    day = timezone.localdate() - timedelta(days=1)
    return [
        entry_create(
            trainee=assignment.trainee,
            data=entry_data(assignment, start_time=time(8 + 2 * n, 0), performed_on=day, **overrides),
        )
        for n in range(count)
    ]


def _submit(assignment, entries, capture):
    with capture(execute=True):
        (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk for entry in entries])
    return batch


def _statuses(entries):
    return [PracticeEntry.objects.get(pk=entry.pk).status for entry in entries]


def test_submitting_makes_one_batch_per_supervisor_and_emails_each(assignment, django_capture_on_commit_callbacks):
    second = build_assignment(trainee=assignment.trainee)
    entries = _log(assignment, 2)
    other = entry_create(
        trainee=assignment.trainee, data=entry_data(second, performed_on=timezone.localdate() - timedelta(days=5))
    )
    with django_capture_on_commit_callbacks(execute=True):
        batches = entries_submit(trainee=assignment.trainee, entry_ids=[e.pk for e in [*entries, other]])
    assert len(batches) == 2
    assert _statuses([*entries, other]) == ["submitted"] * 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [assignment.supervisor.email, second.supervisor.email]
    )
    message = next(m for m in mail.outbox if m.to == [assignment.supervisor.email])
    assert message.subject == "Robin Ash sent you 2 entries to review"
    assert f"/practice/review/batches/{Batch.objects.get(assignment=assignment).pk}/" in message.body
    assert "Listened more than I spoke" not in message.body  # reflections never go into emails


def test_approving_records_the_attestation_and_emails_the_trainee(assignment, django_capture_on_commit_callbacks):
    entries = _log(assignment)
    batch = _submit(assignment, entries, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attestation = entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    assert _statuses(entries) == ["approved"] * 3
    assert attestation.signed_name == "Sam Okafor"
    assert attestation.credentials == "CPS Supervisor, Testland S-1"
    assert attestation.statement.startswith("I supervised these hours")
    assert timezone.now() - attestation.signed_at < timedelta(minutes=1)
    assert Batch.objects.get(pk=batch.pk).status == "reviewed"
    (message,) = mail.outbox
    assert message.to == [assignment.trainee.email]
    assert message.subject == "Sam Okafor approved 3 hours of your practice"


def test_approval_needs_the_attestation_box(assignment, django_capture_on_commit_callbacks):
    entries = _log(assignment, 1)
    batch = _submit(assignment, entries, django_capture_on_commit_callbacks)
    with pytest.raises(PracticeError) as caught:
        entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=False)
    assert caught.value.code == "attestation_required"
    assert _statuses(entries) == ["submitted"]


def test_approval_needs_a_supervisor_profile(django_capture_on_commit_callbacks):
    assignment = build_assignment(profile=False)
    entries = _log(assignment, 1)
    batch = _submit(assignment, entries, django_capture_on_commit_callbacks)
    with pytest.raises(PracticeError) as caught:
        entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    assert caught.value.code == "no_profile"


def test_return_then_edit_then_resubmit_then_approve(assignment, django_capture_on_commit_callbacks):
    entries = _log(assignment, 3)
    batch = _submit(assignment, entries, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with pytest.raises(PracticeError) as caught:
        entries_return(supervisor=assignment.supervisor, batch_id=batch.pk, entry_ids=[entries[0].pk], comment="  ")
    assert caught.value.code == "comment_required"

    with django_capture_on_commit_callbacks(execute=True):
        entries_return(
            supervisor=assignment.supervisor,
            batch_id=batch.pk,
            entry_ids=[entries[0].pk],
            comment="Please add which competencies you used.",
        )
        entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    assert _statuses(entries) == ["returned", "approved", "approved"]
    returned_mail = next(m for m in mail.outbox if "returned" in m.subject)
    assert returned_mail.to == [assignment.trainee.email]
    assert "Please add which competencies" not in returned_mail.body  # read on the site, not in email

    entry_update(
        trainee=assignment.trainee,
        entry_id=entries[0].pk,
        data=entry_data(
            assignment,
            performed_on=entries[0].performed_on,
            start_time=entries[0].start_time,
            reflection="Drew on recovery and wellness support; listened for strengths.",
        ),
    )
    second = _submit(assignment, [entries[0]], django_capture_on_commit_callbacks)
    assert second.pk != batch.pk
    entries_approve(supervisor=assignment.supervisor, batch_id=second.pk, attested=True)
    assert _statuses(entries) == ["approved"] * 3
    assert Attestation.objects.count() == 2


def test_a_trainee_can_withdraw_a_batch_before_review(assignment, django_capture_on_commit_callbacks):
    entries = _log(assignment, 2)
    batch = _submit(assignment, entries, django_capture_on_commit_callbacks)
    batch_withdraw(trainee=assignment.trainee, batch_id=batch.pk)
    assert _statuses(entries) == ["draft", "draft"]
    assert Batch.objects.get(pk=batch.pk).status == "withdrawn"
    assert not PracticeEntry.objects.filter(batch=batch).exists()


def test_withdrawing_after_review_started_is_refused(assignment, django_capture_on_commit_callbacks):
    entries = _log(assignment, 2)
    batch = _submit(assignment, entries, django_capture_on_commit_callbacks)
    entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True, entry_ids=[entries[0].pk])
    with pytest.raises(PracticeError) as caught:
        batch_withdraw(trainee=assignment.trainee, batch_id=batch.pk)
    assert caught.value.code == "already_reviewed"
    assert _statuses(entries) == ["approved", "submitted"]


def test_submitted_entries_cannot_be_edited_until_withdrawn(assignment, django_capture_on_commit_callbacks):
    (entry,) = _log(assignment, 1)
    _submit(assignment, [entry], django_capture_on_commit_callbacks)
    with pytest.raises(PracticeError) as caught:
        entry_update(trainee=assignment.trainee, entry_id=entry.pk, data=entry_data(assignment))
    assert caught.value.code == "submitted"


def test_approving_twice_records_one_approval(assignment, django_capture_on_commit_callbacks):
    entries = _log(assignment, 2)
    batch = _submit(assignment, entries, django_capture_on_commit_callbacks)
    entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    with pytest.raises(PracticeError) as caught:
        entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    assert caught.value.code == "already_reviewed"
    assert Attestation.objects.count() == 1


def test_supervision_sessions_go_through_the_same_review(assignment, django_capture_on_commit_callbacks):
    session = entry_create(trainee=assignment.trainee, data=supervision_data(assignment))
    batch = _submit(assignment, [session], django_capture_on_commit_callbacks)
    entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    session.refresh_from_db()
    assert (session.kind, session.status, session.session_format) == ("supervision", "approved", "individual")


# Immutability after approval


@pytest.fixture
def approved(assignment, django_capture_on_commit_callbacks):
    (entry,) = _log(assignment, 1)
    batch = _submit(assignment, [entry], django_capture_on_commit_callbacks)
    entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    entry.refresh_from_db()
    return entry


def test_approved_entries_refuse_the_services(assignment, approved):
    for action in (
        lambda: entry_update(trainee=assignment.trainee, entry_id=approved.pk, data=entry_data(assignment)),
        lambda: entry_delete(trainee=assignment.trainee, entry_id=approved.pk),
    ):
        with pytest.raises(PracticeError) as caught:
            action()
        assert caught.value.code == "not_editable"
    with pytest.raises(PracticeError) as caught:
        entries_submit(trainee=assignment.trainee, entry_ids=[approved.pk])
    assert caught.value.code == "nothing_to_submit"
    assert PracticeEntry.objects.get(pk=approved.pk).status == "approved"


def test_approved_entries_refuse_the_edit_form_and_a_replayed_post(client, assignment, approved):
    client.login(username=assignment.trainee.username, password=PASSWORD)
    response = client.get(reverse("practice_entry_edit", args=[approved.pk]), follow=True)
    assert "This entry has been approved, so it can no longer be changed." in response.content.decode()
    assert 'name="reflection"' not in response.content.decode()
    replay = {
        "assignment": assignment.pk,
        "performed_on": approved.performed_on.isoformat(),
        "duration_hours": "8",
        "activity_type": "individual",
        "contact": "direct",
        "domains": [d.pk for d in approved.domains.all()],
        "setting": "community",
        "delivery": "in_person",
        "reflection": "Changed after approval.",
    }
    response = client.post(reverse("practice_entry_edit", args=[approved.pk]), replay)
    assert response.status_code == 302
    response = client.post(reverse("practice_entry_delete", args=[approved.pk]), follow=True)
    assert "This entry has been approved, so it can no longer be changed." in response.content.decode()
    approved_now = PracticeEntry.objects.get(pk=approved.pk)
    assert (approved_now.minutes, approved_now.reflection, approved_now.status) == (
        approved.minutes,
        approved.reflection,
        "approved",
    )
    assert (
        f'href="/practice/entries/{approved.pk}/edit/"'
        not in client.get(reverse("practice_entry", args=[approved.pk])).content.decode()
    )


def test_a_programme_admin_reopens_with_a_reason_kept_in_history(
    assignment, approved, django_capture_on_commit_callbacks
):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    mail.outbox.clear()
    with pytest.raises(PracticeError) as caught:
        entry_reopen(admin=admin, entry_id=approved.pk, reason=" ")
    assert caught.value.code == "reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        entry_reopen(admin=admin, entry_id=approved.pk, reason="Wrong date: it was the day before.")
    entry = PracticeEntry.objects.get(pk=approved.pk)
    assert entry.status == "returned"
    assert entry.attestation is None
    assert "Wrong date" in entry.return_comment
    latest = entry.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        admin,
        "Reopened: Wrong date: it was the day before.",
    )
    assert mail.outbox[0].to == [assignment.trainee.email]
    with pytest.raises(PracticeError) as caught:
        entry_reopen(admin=admin, entry_id=approved.pk, reason="Again")
    assert caught.value.code == "not_approved"


# History: every state change names who and when


def test_every_state_change_leaves_a_history_record(assignment, django_capture_on_commit_callbacks):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    trainee, supervisor = assignment.trainee, assignment.supervisor
    (entry,) = _log(assignment, 1)
    batch = _submit(assignment, [entry], django_capture_on_commit_callbacks)
    batch_withdraw(trainee=trainee, batch_id=batch.pk)
    batch = _submit(assignment, [entry], django_capture_on_commit_callbacks)
    entries_return(supervisor=supervisor, batch_id=batch.pk, entry_ids=[entry.pk], comment="Add the setting.")
    entry_update(
        trainee=trainee,
        entry_id=entry.pk,
        data=entry_data(assignment, performed_on=entry.performed_on, start_time=entry.start_time),
    )
    batch = _submit(assignment, [entry], django_capture_on_commit_callbacks)
    entries_approve(supervisor=supervisor, batch_id=batch.pk, attested=True)
    entry_reopen(admin=admin, entry_id=entry.pk, reason="Duplicate of another entry.")
    entry_delete(trainee=trainee, entry_id=entry.pk)

    records = list(PracticeEntry.history.filter(id=entry.pk).order_by("history_date", "history_id"))
    states = []
    for record in records:  # saving the domains of a new entry adds a second "Created" record: fold it
        state = (record.status, record.history_user, record.history_change_reason)
        if not states or states[-1] != state:
            states.append(state)
    assert states == [
        ("draft", trainee, "Created"),
        ("submitted", trainee, "Submitted for review"),
        ("draft", trainee, "Withdrawn"),
        ("submitted", trainee, "Submitted for review"),
        ("returned", supervisor, "Returned: Add the setting."),
        ("returned", trainee, "Edited"),
        ("submitted", trainee, "Submitted for review"),
        ("approved", supervisor, f"Approved: {Attestation.STATEMENT}"),
        ("returned", admin, "Reopened: Duplicate of another entry."),
        ("returned", trainee, "Deleted by the trainee"),
    ]
    assert all(record.history_date for record in records)
    assert records[-1].history_type == "-"
    batch_records = Batch.history.filter(history_user__isnull=False).values_list("status", "history_user")
    assert ("withdrawn", trainee.pk) in batch_records
    assert ("reviewed", supervisor.pk) in batch_records


# The pages


def test_the_review_page_approves_and_returns_entry_by_entry(client, assignment, django_capture_on_commit_callbacks):
    entries = _log(assignment, 2)
    batch = _submit(assignment, entries, django_capture_on_commit_callbacks)
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    url = reverse("practice_review_batch", args=[batch.pk])
    first, second = (f"decision_{entry.pk}" for entry in entries)
    response = client.post(url, {first: "approve", second: "later"})
    assert "Tick “I supervised these hours” to approve entries." in response.content.decode()
    assert _statuses(entries) == ["submitted", "submitted"]
    response = client.post(url, {first: "approve", second: "later", "attested": "on"})
    assert response.status_code == 302
    assert _statuses(entries) == ["approved", "submitted"]
    response = client.post(url, {second: "return", f"comment_{entries[1].pk}": ""})
    assert "Write a comment so the trainee knows what to change." in response.content.decode()
    response = client.post(
        url, {second: "return", f"comment_{entries[1].pk}": "Sat with client Jane Doe? Please reword."}
    )
    assert "must not identify the people you support" in response.content.decode()
    response = client.post(url, {second: "return", f"comment_{entries[1].pk}": "Add the setting."})
    assert response.status_code == 302
    assert _statuses(entries) == ["approved", "returned"]


def test_the_queue_lists_oldest_first_and_bulk_approves(client, django_capture_on_commit_callbacks):
    supervisor = UserFactory(roles=["Supervisor"])
    first = build_assignment(supervisor=supervisor, trainee=UserFactory(first_name="Ada", last_name="First"))
    second = build_assignment(supervisor=supervisor, trainee=UserFactory(first_name="Bo", last_name="Second"))
    with timezone.override("UTC"):
        b1 = _submit(first, _log(first, 1), django_capture_on_commit_callbacks)
        b2 = _submit(second, _log(second, 1), django_capture_on_commit_callbacks)
    Batch.objects.filter(pk=b2.pk).update(submitted_at=b1.submitted_at - timedelta(hours=1))
    client.login(username=supervisor.username, password=PASSWORD)
    html = client.get(reverse("practice_review")).content.decode()
    assert html.index("Bo Second") < html.index("Ada First")
    response = client.post(reverse("practice_review"), {"batches": [b1.pk, b2.pk]})
    assert "Tick this box to confirm you supervised these hours." in response.content.decode()
    response = client.post(reverse("practice_review"), {"batches": [b1.pk, b2.pk], "attested": "on"}, follow=True)
    assert "Approved 2 batches" in response.content.decode()
    assert set(PracticeEntry.objects.values_list("status", flat=True)) == {"approved"}
    assert "Nothing is waiting for you" in response.content.decode()


def test_the_trainee_submits_and_withdraws_from_the_pages(client, assignment):
    entries = _log(assignment, 2)
    client.login(username=assignment.trainee.username, password=PASSWORD)
    page = client.get(reverse("practice_submit")).content.decode()
    assert f'value="{entries[0].pk}"' in page
    response = client.post(reverse("practice_submit"), {})
    assert "Choose at least one entry." in response.content.decode()
    response = client.post(reverse("practice_submit"), {"entries": [e.pk for e in entries]}, follow=True)
    assert "Sent 2 entries for review in 1 batch" in response.content.decode()
    batch = Batch.objects.get()
    confirm = client.get(reverse("practice_batch_withdraw", args=[batch.pk])).content.decode()
    assert "Withdraw this batch?" in confirm
    assert _statuses(entries) == ["submitted", "submitted"]  # asking changes nothing
    client.post(reverse("practice_batch_withdraw", args=[batch.pk]))
    assert _statuses(entries) == ["draft", "draft"]


def test_deleting_a_draft_asks_first(client, assignment):
    (entry,) = _log(assignment, 1)
    client.login(username=assignment.trainee.username, password=PASSWORD)
    assert "Delete this entry?" in client.get(reverse("practice_entry_delete", args=[entry.pk])).content.decode()
    assert PracticeEntry.objects.filter(pk=entry.pk).exists()
    client.post(reverse("practice_entry_delete", args=[entry.pk]))
    assert not PracticeEntry.objects.filter(pk=entry.pk).exists()


def test_the_entry_page_shows_the_comment_and_history(client, assignment, django_capture_on_commit_callbacks):
    (entry,) = _log(assignment, 1)
    batch = _submit(assignment, [entry], django_capture_on_commit_callbacks)
    entries_return(supervisor=assignment.supervisor, batch_id=batch.pk, entry_ids=[entry.pk], comment="Say more <b>")
    client.login(username=assignment.trainee.username, password=PASSWORD)
    html = client.get(reverse("practice_entry", args=[entry.pk])).content.decode()
    assert "Say more &lt;b&gt;" in html
    assert "Sam Okafor · Returned" in html
    assert "Robin Ash · Submitted" in html


def test_a_long_comment_is_kept_whole_in_the_history(assignment, django_capture_on_commit_callbacks):
    (entry,) = _log(assignment, 1)
    batch = _submit(assignment, [entry], django_capture_on_commit_callbacks)
    comment = "Please say more about what you noticed. " * 40
    entries_return(supervisor=assignment.supervisor, batch_id=batch.pk, entry_ids=[entry.pk], comment=comment)
    assert PracticeEntry.history.filter(id=entry.pk).first().history_change_reason == f"Returned: {comment.strip()}"


def test_a_reopen_reason_is_screened_for_privacy(approved):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    with pytest.raises(PracticeError) as caught:
        entry_reopen(admin=admin, entry_id=approved.pk, reason="Client John Smith called about this one.")
    assert caught.value.code == "privacy"
    assert PracticeEntry.objects.get(pk=approved.pk).status == "approved"
