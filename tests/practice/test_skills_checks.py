"""Observed skills checks: logging one, the supervisor's rubric, bulk approval, the log, export and eligibility."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import CompetencyDomain
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE
from practice.forms import PracticeEntryForm
from practice.models import PracticeEntry, SkillsCheckSignOff
from practice.review import APPROVE, RETURN, Decision, ReviewInvalid, batch_review
from practice.services import (
    EntryInvalid,
    PracticeError,
    entries_approve,
    entries_submit,
    entry_create,
    entry_delete,
    entry_reopen,
)
from practice.skills import (
    BOUNDARIES,
    CRISIS_HANDOFF,
    LISTENING,
    RUBRIC_VERSION,
    SKILLS,
    VALIDATION,
    criteria_for,
    missing_criteria,
)
from privacy.export import user_data
from tests.factories import PASSWORD, UserFactory, build_assignment, entry_data
from tests.practice.test_query_counts import LOG_QUERIES

pytestmark = pytest.mark.django_db

Status = PracticeEntry.Status
SKILLS_CHECK = PracticeEntry.ActivityType.SKILLS_CHECK
ALL_LISTENING = frozenset(range(len(criteria_for(LISTENING))))


@pytest.fixture
def assignment():
    return build_assignment(
        trainee=UserFactory(first_name="Robin", last_name="Ash", roles=[TRAINEE]),
        supervisor=UserFactory(first_name="Sam", last_name="Okafor", roles=[SUPERVISOR]),
    )


def _skills_check(assignment, skill=LISTENING, days_ago=1, **overrides):
    values = {
        "activity_type": SKILLS_CHECK,
        "skill": skill,
        "contact": "",
        "minutes": 30,
        "start_time": None,
        "performed_on": timezone.localdate() - timedelta(days=days_ago),
        "reflection": "A role-play of a first conversation; I summarised before asking anything new.",
    }
    data = entry_data(assignment, **{**values, **overrides})
    return entry_create(trainee=assignment.trainee, data=data)


def _submitted(assignment, entries):
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk for entry in entries])
    return batch


def _approve(assignment, batch, entry, shown=ALL_LISTENING):
    return batch_review(
        supervisor=assignment.supervisor,
        batch_id=batch.pk,
        decisions=[Decision(entry.pk, APPROVE, shown=shown)],
        attested=True,
    )


# The rubric


def test_every_skill_has_three_or_four_short_observable_criteria():
    assert set(SKILLS) == {LISTENING, VALIDATION, BOUNDARIES, CRISIS_HANDOFF}
    for skill in SKILLS.values():
        assert 3 <= len(skill.criteria) <= 4, skill.key
        assert all(len(text) < 80 for text in skill.criteria)
    assert "Asked directly about their safety" in criteria_for(CRISIS_HANDOFF)
    assert missing_criteria(LISTENING, {0, 2}) == [criteria_for(LISTENING)[1], criteria_for(LISTENING)[3]]
    assert missing_criteria(LISTENING, ALL_LISTENING) == []


# Logging one


def test_a_skills_check_is_always_indirect_and_keeps_its_skill(assignment):
    entry = _skills_check(assignment, contact="direct")
    entry.refresh_from_db()
    assert (entry.activity_type, entry.skill, entry.contact) == (SKILLS_CHECK, LISTENING, "indirect")
    assert entry.skill_label == "Listening"


def test_a_skills_check_needs_its_skill_and_other_activities_drop_one(assignment):
    with pytest.raises(EntryInvalid) as caught:
        _skills_check(assignment, skill="")
    assert caught.value.codes == ["skill_required"]
    assert caught.value.problems[0][0] == "skill"
    assert "Choose the skill the role-play practised." in caught.value.message
    other = entry_create(trainee=assignment.trainee, data=entry_data(assignment, skill=LISTENING))
    other.refresh_from_db()
    assert (other.activity_type, other.skill) == ("individual", "")


def test_the_database_holds_a_skill_only_on_a_skills_check(assignment):
    entry = _skills_check(assignment)
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeEntry.objects.filter(pk=entry.pk).update(skill="")
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeEntry.objects.filter(pk=entry.pk).update(contact="direct")
    other = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeEntry.objects.filter(pk=other.pk).update(skill=LISTENING)


def _form_data(assignment, **overrides):
    domain = CompetencyDomain.objects.first()
    data = {
        "assignment": assignment.pk,
        "performed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "duration_hours": "0.5",
        "activity_type": SKILLS_CHECK,
        "skill": VALIDATION,
        "domains": [domain.pk],
        "setting": "peer_run",
        "delivery": "in_person",
        "reflection": "Named the feeling I heard and stayed with it.",
    }
    data.update(overrides)
    return data


def test_the_form_asks_a_skills_check_for_its_skill_and_nothing_about_contact(assignment):
    form = PracticeEntryForm(_form_data(assignment), trainee=assignment.trainee)
    assert form.is_valid(), form.errors
    data = form.entry_data()
    assert (data.skill, data.contact) == (VALIDATION, "indirect")

    form = PracticeEntryForm(_form_data(assignment, skill=""), trainee=assignment.trainee)
    assert not form.is_valid()
    assert form.errors["skill"] == ["Choose the skill the role-play practised."]


def test_the_form_still_asks_other_activities_for_direct_or_indirect_and_ignores_a_skill(assignment):
    form = PracticeEntryForm(_form_data(assignment, activity_type="individual"), trainee=assignment.trainee)
    assert not form.is_valid()
    assert form.errors["contact"] == ["Choose direct or indirect."]
    form = PracticeEntryForm(
        _form_data(assignment, activity_type="individual", contact="direct"), trainee=assignment.trainee
    )
    assert form.is_valid(), form.errors
    assert form.entry_data().skill == ""


def test_the_entry_page_shows_the_skill_field_and_hides_contact_with_css_only(client, assignment):
    assert client.login(username=assignment.trainee.username, password=PASSWORD)
    html = client.get(reverse("practice_entry_new")).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".field-skill input[value='crisis_handoff']") is not None
    assert soup.select_one(".field-contact input[value='direct']") is not None
    assert 'value="skills_check">Skills check (observed role-play)</option>' in html


# The supervisor's sign-off


def test_approving_with_every_criterion_keeps_the_rubric_who_and_when(assignment):
    entry = _skills_check(assignment)
    batch = _submitted(assignment, [entry])
    outcome = _approve(assignment, batch, entry)
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED
    sign_off = SkillsCheckSignOff.objects.get(entry=entry)
    assert (sign_off.skill, sign_off.rubric_version, sign_off.supervisor) == (
        LISTENING,
        RUBRIC_VERSION,
        assignment.supervisor,
    )
    assert sign_off.criteria_shown == list(criteria_for(LISTENING))
    assert sign_off.attestation == outcome.attestation == entry.attestation
    assert sign_off.signed_at == outcome.attestation.signed_at
    assert sign_off.history.get().history_user == assignment.supervisor


def test_approving_with_a_criterion_missing_is_refused_beside_the_entry_and_saves_nothing(assignment):
    entry = _skills_check(assignment)
    batch = _submitted(assignment, [entry])
    with pytest.raises(ReviewInvalid) as caught:
        _approve(assignment, batch, entry, shown=frozenset({0, 1, 3}))
    (problem,) = caught.value.problems
    assert (problem.entry_id, problem.code) == (entry.pk, "rubric_incomplete")
    assert "tick every point the role-play showed" in problem.message
    assert "Not ticked: asked open questions rather than giving advice." in problem.message
    assert "return it" not in problem.message and "“Return to the trainee”" in problem.message
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED
    assert not SkillsCheckSignOff.objects.exists()


@pytest.mark.parametrize("extra", [len(criteria_for(LISTENING)), 99, -1])
def test_approving_with_a_criterion_the_rubric_does_not_have_is_refused_and_saves_nothing(assignment, extra):
    entry = _skills_check(assignment)
    batch = _submitted(assignment, [entry])
    with pytest.raises(ReviewInvalid) as caught:
        _approve(assignment, batch, entry, shown=ALL_LISTENING | {extra})
    (problem,) = caught.value.problems
    assert (problem.entry_id, problem.code) == (entry.pk, "rubric_unknown")
    assert problem.message == "Tick only points from this skill's rubric."
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED
    assert not SkillsCheckSignOff.objects.exists()


def test_a_reopened_skills_check_that_was_signed_off_stays_in_the_log_for_the_record(client, assignment):
    entry = _skills_check(assignment)
    _approve(assignment, _submitted(assignment, [entry]), entry)
    entry_reopen(admin=UserFactory(roles=[PROGRAMME_ADMIN]), entry_id=entry.pk, reason="The date was a week out.")
    with pytest.raises(PracticeError) as caught:
        entry_delete(trainee=assignment.trainee, entry_id=entry.pk)
    assert caught.value.code == "signed_off"
    assert client.login(username=assignment.trainee.username, password=PASSWORD)
    response = client.post(reverse("practice_entry_delete", args=[entry.pk]), follow=True)
    assert response.redirect_chain == [(reverse("practice_entry", args=[entry.pk]), 302)]
    assert caught.value.message in response.content.decode().replace("&#x27;", "'")
    assert PracticeEntry.objects.get(pk=entry.pk).status == Status.RETURNED
    assert SkillsCheckSignOff.objects.get().entry == entry


def test_returning_a_skills_check_needs_no_rubric_and_signs_nothing_off(assignment):
    entry = _skills_check(assignment)
    batch = _submitted(assignment, [entry])
    batch_review(
        supervisor=assignment.supervisor,
        batch_id=batch.pk,
        decisions=[Decision(entry.pk, RETURN, "Practise reflecting back, then let's try again next week.")],
        attested=False,
    )
    entry.refresh_from_db()
    assert entry.status == Status.RETURNED
    assert not SkillsCheckSignOff.objects.exists()


def test_approving_a_whole_batch_at_once_refuses_one_holding_a_skills_check(assignment):
    batch = _submitted(
        assignment, [_skills_check(assignment), entry_create(trainee=assignment.trainee, data=entry_data(assignment))]
    )
    with pytest.raises(PracticeError) as caught:
        entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    assert caught.value.code == "rubric_required"
    assert "Robin Ash" in caught.value.message and "open it to tick what the role-play showed" in caught.value.message
    assert not PracticeEntry.objects.filter(status=Status.APPROVED).exists()


def test_the_queue_approves_other_batches_and_names_the_one_with_a_skills_check(client, assignment):
    plain = _submitted(assignment, [entry_create(trainee=assignment.trainee, data=entry_data(assignment))])
    skills = _submitted(assignment, [_skills_check(assignment, days_ago=2)])
    assert client.login(username=assignment.supervisor.username, password=PASSWORD)
    response = client.post(
        reverse("practice_review"), {"batches": [plain.pk, skills.pk], "attested": "on"}, follow=True
    )
    text = " ".join(BeautifulSoup(response.content, "html.parser").get_text().split())
    assert "Approved 1 batch. Thank you." in text
    sent = f"{skills.submitted_at:%-d %b %Y}"
    assert f"The batch Robin Ash sent on {sent} holds a skills check, so it wasn't approved here" in text
    assert list(PracticeEntry.objects.filter(batch=skills).values_list("status", flat=True)) == [Status.SUBMITTED]
    assert list(PracticeEntry.objects.filter(batch=plain).values_list("status", flat=True)) == [Status.APPROVED]


def _review_page(client, assignment, batch):
    assert client.login(username=assignment.supervisor.username, password=PASSWORD)
    return client.get(reverse("practice_review_batch", args=[batch.pk]))


def test_the_review_page_shows_the_rubric_and_an_error_beside_the_entry(client, assignment):
    entry = _skills_check(assignment)
    batch = _submitted(assignment, [entry])
    soup = BeautifulSoup(_review_page(client, assignment, batch).content, "html.parser")
    rubric = soup.select_one("fieldset.rubric")
    assert rubric.legend.get_text(" ", strip=True).startswith("Shown in the role-play")
    assert [label.get_text(strip=True) for label in rubric.select("label")] == list(criteria_for(LISTENING))

    url = reverse("practice_review_batch", args=[batch.pk])
    response = client.post(url, {f"decision_{entry.pk}": "approve", f"rubric_{entry.pk}": ["0", "1"], "attested": "on"})
    soup = BeautifulSoup(response.content, "html.parser")
    error = soup.select_one("fieldset.rubric .errorlist").get_text()
    assert error.startswith("To approve this skills check, tick every point the role-play showed.")
    assert "asked open questions rather than giving advice" in error
    assert soup.select_one(f"#error-summary a[href='#id_rubric_{entry.pk}_0']") is not None
    assert PracticeEntry.objects.get(pk=entry.pk).status == Status.SUBMITTED

    ticked = [str(number) for number in ALL_LISTENING]
    response = client.post(url, {f"decision_{entry.pk}": "approve", f"rubric_{entry.pk}": ticked, "attested": "on"})
    assert response.status_code == 302
    assert PracticeEntry.objects.get(pk=entry.pk).status == Status.APPROVED


def _mixed_batch(assignment, count):
    """`count` entries in one batch, every third a skills check, one a day from yesterday back."""
    entries = [
        _skills_check(assignment, skill=list(SKILLS)[n % 4], days_ago=1 + n)
        if n % 3 == 0
        else entry_create(
            trainee=assignment.trainee,
            data=entry_data(assignment, performed_on=timezone.localdate() - timedelta(days=1 + n)),
        )
        for n in range(count)
    ]
    return _submitted(assignment, entries)


REVIEW_PAGE_QUERIES = 10
PRACTICE_LOG_QUERIES = LOG_QUERIES  # skills checks add nothing to the log's count


def _count(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_review_page_costs_the_same_at_3_and_30_entries(client):
    counts = []
    for count in (3, 30):
        assignment = build_assignment(trainee=UserFactory(roles=[TRAINEE]), supervisor=UserFactory(roles=[SUPERVISOR]))
        batch = _mixed_batch(assignment, count)
        assert client.login(username=assignment.supervisor.username, password=PASSWORD)
        counts.append(_count(client, reverse("practice_review_batch", args=[batch.pk])))
    assert counts == [REVIEW_PAGE_QUERIES, REVIEW_PAGE_QUERIES]


def test_the_practice_log_costs_the_same_at_3_and_30_rows_with_passed_skills_checks(client):
    counts = []
    for count in (3, 30):
        assignment = build_assignment(trainee=UserFactory(roles=[TRAINEE]), supervisor=UserFactory(roles=[SUPERVISOR]))
        batch = _mixed_batch(assignment, count)
        waiting = list(batch.entries.all())
        batch_review(
            supervisor=assignment.supervisor,
            batch_id=batch.pk,
            decisions=[
                Decision(
                    entry.pk,
                    APPROVE,
                    shown=frozenset(range(len(criteria_for(entry.skill)))) if entry.skill else frozenset(),
                )
                for entry in waiting
            ],
            attested=True,
        )
        assert client.login(username=assignment.trainee.username, password=PASSWORD)
        counts.append(_count(client, reverse("practice_log")))
    assert counts == [PRACTICE_LOG_QUERIES, PRACTICE_LOG_QUERIES]


# What the trainee sees


def test_the_log_and_the_entry_page_say_who_observed_the_passed_skills_check(client, assignment):
    entry = _skills_check(assignment)
    outcome = _approve(assignment, _submitted(assignment, [entry]), entry)
    observed = f"{timezone.localtime(outcome.attestation.signed_at):%-d %b %Y}"
    line = f"Skills check: Listening — passed, observed by Sam Okafor on {observed}"
    assert client.login(username=assignment.trainee.username, password=PASSWORD)
    for url in (reverse("practice_log"), reverse("practice_entry", args=[entry.pk])):
        text = " ".join(BeautifulSoup(client.get(url).content, "html.parser").get_text().split())
        assert line in text, url


def test_a_waiting_skills_check_shows_its_skill_but_not_passed(client, assignment):
    _submitted(assignment, [_skills_check(assignment, skill=BOUNDARIES)])
    assert client.login(username=assignment.trainee.username, password=PASSWORD)
    text = " ".join(BeautifulSoup(client.get(reverse("practice_log")).content, "html.parser").get_text().split())
    assert "Skills check: Boundary-setting" in text and "passed" not in text


def test_the_data_export_holds_the_rubric_sign_off(assignment):
    entry = _skills_check(assignment)
    _approve(assignment, _submitted(assignment, [entry]), entry)
    (exported,) = user_data(user=assignment.trainee)["practice"]["practice_entries"]
    assert exported["activity"] == "Skills check (observed role-play)"
    (sign_off,) = exported["skills_check"]["rubric_sign_offs"]
    assert exported["skills_check"]["skill"] == "Listening"
    assert sign_off["observed_by"] == "Sam Okafor"
    assert sign_off["rubric_version"] == RUBRIC_VERSION
    assert sign_off["shown_in_the_role_play"] == list(criteria_for(LISTENING))


def test_the_audit_trail_shows_the_sign_off_with_its_rubric_and_supervisor(client, assignment):
    entry = _skills_check(assignment)
    _approve(assignment, _submitted(assignment, [entry]), entry)
    client.force_login(UserFactory(roles=[PROGRAMME_ADMIN]))
    response = client.get(reverse("audit_trainee", args=[assignment.trainee.pk]))
    events = response.context["trail"].events
    (sign_off,) = [event for event in events if event.record.startswith("Skills check sign-off")]
    assert sign_off.record == f"Skills check sign-off (Listening, rubric {RUBRIC_VERSION}) by Sam Okafor"
    assert sign_off.actor == "Sam Okafor"
