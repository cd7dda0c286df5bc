"""Taking a quiz: starting, saving, submitting, limits, waits, time limits, privacy of answers and of attempts."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from courses.models import AttemptAnswer, QuizAttempt, QuizPage
from courses.selectors import course_progress_for_user
from courses.services import (
    QuizError,
    enrolment_create,
    lesson_complete,
    quiz_answers_save,
    quiz_attempt_grant,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from lms.roles import PROGRAMME_ADMIN
from tests.factories import PASSWORD, UserFactory, answer_key, build_quiz

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def quiz(course, trainee):
    """A five-question quiz in the course's first module, with the trainee enrolled."""
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    return build_quiz(lessons[0].get_parent(), questions=5)


def take(user, quiz, *, right: int, now=None):
    """Start, answer `right` questions correctly and the rest wrongly, and submit."""
    attempt, _ = quiz_attempt_start(user=user, quiz=quiz, now=now)
    good, bad = answer_key(attempt), answer_key(attempt, right=False)
    keys = list(attempt.questions.order_by("position").values_list("question_key", flat=True))
    answers = {key: good[key] if index < right else bad[key] for index, key in enumerate(keys)}
    quiz_answers_save(attempt=attempt, answers=answers, now=now)
    return quiz_attempt_submit(attempt=attempt, now=now)[0]


def test_four_of_five_is_exactly_the_pass_mark_and_passes(trainee, quiz):
    attempt = take(trainee, quiz, right=4)
    assert attempt.score == 80
    assert attempt.passed is True


def test_three_of_five_fails(trainee, quiz):
    attempt = take(trainee, quiz, right=3)
    assert (attempt.score, attempt.passed) == (60, False)


def test_an_attempt_fixes_its_questions_and_choice_order(trainee, quiz):
    attempt, created = quiz_attempt_start(user=trainee, quiz=quiz)
    assert created
    frozen = [(q.question_key, [c["key"] for c in q.snapshot["choices"]]) for q in attempt.questions.all()]
    again, created_again = quiz_attempt_start(user=trainee, quiz=quiz)
    assert not created_again
    assert again.pk == attempt.pk
    assert [(q.question_key, [c["key"] for c in q.snapshot["choices"]]) for q in again.questions.all()] == frozen
    assert len(frozen) == 5


def test_editing_the_pool_does_not_change_a_started_attempt(trainee, quiz):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    first = attempt.questions.get(position=1)
    quiz.questions = [(block.block_type, block.value) for block in list(quiz.questions)[:1]]
    quiz.save_revision().publish()
    assert attempt.questions.count() == 5
    assert attempt.questions.get(position=1).snapshot == first.snapshot


def test_questions_drawn_from_a_larger_pool(trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    quiz = build_quiz(lessons[0].get_parent(), questions=8, questions_per_attempt=3)
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    assert attempt.questions.count() == 3


def test_must_be_enrolled(quiz):
    outsider = UserFactory()
    with pytest.raises(QuizError) as caught:
        quiz_attempt_start(user=outsider, quiz=quiz)
    assert caught.value.code == "not_enrolled"


def test_attempt_limit_then_an_admin_grants_one_more(trainee, quiz):
    for _ in range(3):
        take(trainee, quiz, right=1)
    with pytest.raises(QuizError) as caught:
        quiz_attempt_start(user=trainee, quiz=quiz)
    assert caught.value.code == "out_of_attempts"
    assert "ask your programme admin for another attempt" in caught.value.message
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    quiz_attempt_grant(user=trainee, quiz=quiz, granted_by=admin, reason="Missed a week through illness")
    attempt = take(trainee, quiz, right=5)
    assert attempt.number == 4
    assert attempt.passed


def test_a_grant_needs_a_reason_and_nobody_grants_themselves(trainee, quiz):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    with pytest.raises(QuizError) as caught:
        quiz_attempt_grant(user=trainee, quiz=quiz, granted_by=admin, reason="  ")
    assert caught.value.code == "no_reason"
    with pytest.raises(QuizError) as caught:
        quiz_attempt_grant(user=admin, quiz=quiz, granted_by=admin, reason="Please")
    assert caught.value.code == "self_grant"


def test_no_new_attempt_after_passing(trainee, quiz):
    take(trainee, quiz, right=5)
    with pytest.raises(QuizError) as caught:
        quiz_attempt_start(user=trainee, quiz=quiz)
    assert caught.value.code == "passed"


def test_wait_between_attempts_with_time_frozen(trainee, quiz):
    quiz.wait_hours = 24
    quiz.save_revision().publish()
    with time_machine.travel(START, tick=False):
        take(trainee, quiz, right=1)
    with time_machine.travel(START + timedelta(hours=23, minutes=59), tick=False):
        with pytest.raises(QuizError) as caught:
            quiz_attempt_start(user=trainee, quiz=quiz)
        assert caught.value.code == "waiting"
        assert "You can start your next attempt from" in caught.value.message
    with time_machine.travel(START + timedelta(hours=24), tick=False):
        attempt, created = quiz_attempt_start(user=trainee, quiz=quiz)
        assert created and attempt.number == 2


def test_time_limit_grades_what_was_saved_and_says_so(trainee, quiz, trainee_client):
    quiz.time_limit_minutes = 10
    quiz.save_revision().publish()
    with time_machine.travel(START, tick=False):
        attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
        key = answer_key(attempt)
        first_two = dict(sorted(key.items())[:2])
        quiz_answers_save(attempt=attempt, answers=first_two)
    assert attempt.deadline == START + timedelta(minutes=10)
    with time_machine.travel(START + timedelta(minutes=15), tick=False):
        response = trainee_client.post(reverse("quiz_attempt", args=[attempt.id]), _post(key, "submit"))
        assert response.status_code == 302
        assert response.url == reverse("quiz_attempt_result", args=[attempt.id])
        page = trainee_client.get(response.url).content.decode()
    attempt.refresh_from_db()
    assert attempt.timed_out
    assert attempt.score == 40  # the two answers saved before the deadline; the late post was ignored
    assert attempt.submitted_at == attempt.deadline
    assert "The time limit ran out at" in page
    assert "we graded the answers you had saved by then" in page


def test_submit_at_the_deadline_grades_an_incomplete_attempt(trainee, quiz):
    quiz.time_limit_minutes = 10
    quiz.save_revision().publish()
    with time_machine.travel(START, tick=False):
        attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
        quiz_answers_save(attempt=attempt, answers=dict(list(answer_key(attempt).items())[:1]))
    with time_machine.travel(START + timedelta(minutes=10, seconds=5), tick=False):
        graded, now = quiz_attempt_submit(attempt=attempt)
    assert now and graded.timed_out and graded.score == 20


def test_an_open_attempt_past_its_deadline_is_graded_when_the_trainee_next_starts(trainee, quiz):
    quiz.time_limit_minutes = 10
    quiz.save_revision().publish()
    with time_machine.travel(START, tick=False):
        first, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        second, created = quiz_attempt_start(user=trainee, quiz=quiz)
    first.refresh_from_db()
    assert created and second.number == 2
    assert (first.status, first.timed_out, first.score) == (QuizAttempt.SUBMITTED, True, 0)


def test_submitting_twice_grades_once(trainee, quiz):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    quiz_answers_save(attempt=attempt, answers=answer_key(attempt))
    first, graded = quiz_attempt_submit(attempt=attempt)
    again, graded_again = quiz_attempt_submit(attempt=attempt)
    assert (graded, graded_again) == (True, False)
    assert again.score == first.score == 100
    assert first.history.filter(status=QuizAttempt.SUBMITTED).count() == 1


def test_a_replayed_post_after_grading_changes_nothing(trainee, quiz, trainee_client):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    url = reverse("quiz_attempt", args=[attempt.id])
    right = _post(answer_key(attempt), "submit")
    assert trainee_client.post(url, right).status_code == 302
    replay = trainee_client.post(url, _post(answer_key(attempt, right=False), "submit"))
    assert replay.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100
    assert QuizAttempt.objects.filter(user=trainee).count() == 1


def _post(answers: dict, action: str) -> dict:
    data = {f"q-{key}": sorted(choices) for key, choices in answers.items()}
    data["action"] = action
    return data


def test_the_quiz_html_never_contains_the_answer_key(trainee, quiz, trainee_client):
    response = trainee_client.post(reverse("quiz_start", args=[quiz.id]))
    attempt = QuizAttempt.objects.get(user=trainee)
    url = reverse("quiz_attempt", args=[attempt.id])
    assert response.url == url

    def html():
        page = trainee_client.get(url).content.decode()
        return page.replace(page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0], "")

    before = html()
    assert "Reasoning" not in before  # no rationale
    assert "correct" not in before.lower()
    # Flip which choice is correct in every frozen question: the page must not change at all.
    for question in attempt.questions.all():
        for choice in question.snapshot["choices"]:
            choice["correct"] = not choice["correct"]
        question.save()
    assert html() == before
    assert "Response 1.1" in before


def test_another_trainee_cannot_see_or_submit_an_attempt(trainee, quiz, client):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    other = UserFactory()
    client.login(username=other.username, password=PASSWORD)
    assert client.get(reverse("quiz_attempt", args=[attempt.id])).status_code == 404
    assert (
        client.post(reverse("quiz_attempt", args=[attempt.id]), _post(answer_key(attempt), "submit")).status_code == 404
    )
    assert client.get(reverse("quiz_attempt_result", args=[attempt.id])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.is_open
    assert not AttemptAnswer.objects.exists()


def test_anonymous_users_are_sent_to_log_in(quiz, trainee, client):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    response = client.get(reverse("quiz_attempt", args=[attempt.id]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("unknown_choice", "received an answer that isn't one of its choices. Nothing was saved."),
        ("foreign_question", "Your answers include a question that isn't part of this attempt. Nothing was saved."),
        ("two_for_single", "takes one answer only. Nothing was saved."),
        ("missing_answer", "Please answer every question before you submit. Still to answer: question"),
    ],
)
def test_a_tampered_post_gets_a_clear_message_and_a_400(trainee, quiz, trainee_client, tamper, message):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    answers = answer_key(attempt)
    first = attempt.questions.get(position=1)
    if tamper == "unknown_choice":
        answers[first.question_key] = {"not-a-choice"}
    elif tamper == "foreign_question":
        answers["11111111-2222-4333-8444-555555555555"] = {"x"}
    elif tamper == "two_for_single":
        answers[first.question_key] = {c["key"] for c in first.snapshot["choices"][:2]}
    else:
        del answers[first.question_key]
    response = trainee_client.post(reverse("quiz_attempt", args=[attempt.id]), _post(answers, "submit"))
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    attempt.refresh_from_db()
    assert attempt.is_open


def test_a_missing_answer_keeps_what_was_chosen(trainee, quiz, trainee_client):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    answers = answer_key(attempt)
    first = attempt.questions.get(position=1)
    del answers[first.question_key]
    response = trainee_client.post(reverse("quiz_attempt", args=[attempt.id]), _post(answers, "submit"))
    html = response.content.decode()
    assert html.count(" checked>") == 4
    assert '<a href="#question-1">Question 1</a>' in html
    assert AttemptAnswer.objects.filter(attempt_question__attempt=attempt).count() == 4


def test_autosave_answers_json(trainee, quiz, trainee_client):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    url = reverse("quiz_attempt", args=[attempt.id])
    first = attempt.questions.get(position=1)
    choice = first.snapshot["choices"][0]["key"]
    response = trainee_client.post(url, {f"q-{first.question_key}": choice}, headers={"X-Quiz-Autosave": "1"})
    assert response.status_code == 200
    assert "saved_at" in response.json()
    assert list(AttemptAnswer.objects.values_list("choice_key", flat=True)) == [choice]
    bad = trainee_client.post(url, {f"q-{first.question_key}": "nope"}, headers={"X-Quiz-Autosave": "1"})
    assert bad.status_code == 400
    assert "isn't one of its choices" in bad.json()["error"]


@pytest.mark.parametrize(
    ("review_mode", "shows_rationale", "shows_question"),
    [("wrong", False, True), ("score", False, False)],
)
def test_result_page_follows_the_review_mode(
    trainee, quiz, trainee_client, review_mode, shows_rationale, shows_question
):
    quiz.review_mode = review_mode
    quiz.save_revision().publish()
    attempt = take(trainee, quiz, right=3)
    html = trainee_client.get(reverse("quiz_attempt_result", args=[attempt.id])).content.decode()
    assert "60%" in html
    assert "Not passed this time" in html
    assert ("Reasoning 1.1" in html) is shows_rationale
    assert ("Scenario 1: what do you say?" in html) is shows_question
    assert "You have 2 attempts left." in html
    assert "3 of 5 correct" in html
    # The full review mode, which waits for a pass or the last attempt, is tested in test_quiz_review.py.


def test_after_the_last_failed_attempt_the_trainee_is_told_what_to_do(trainee, quiz, trainee_client):
    for _ in range(3):
        attempt = take(trainee, quiz, right=0)
    html = unescape(trainee_client.get(reverse("quiz_attempt_result", args=[attempt.id])).content.decode())
    assert "What to do next" in html
    assert "ask your programme admin for another attempt" in html
    assert "Start attempt" not in html
    page = unescape(trainee_client.get(quiz.url).content.decode())
    assert "You've used all your attempts at this quiz." in page


def test_a_passed_quiz_completes_its_module(trainee, quiz, course):
    course_page, lessons = course
    for lesson in lessons[:2]:
        lesson_complete(user=trainee, lesson=lesson)
    progress = course_progress_for_user(user=trainee, course=course_page)
    module = progress.modules[0]
    assert (module.done, module.total) == (2, 3)
    assert progress.next_step.page.id == quiz.id
    take(trainee, quiz, right=5)
    progress = course_progress_for_user(user=trainee, course=course_page)
    assert (progress.modules[0].done, progress.modules[0].total) == (3, 3)
    assert progress.next_step.page.id == lessons[2].id
    assert (progress.done, progress.total) == (3, 5)


def test_finishing_a_modules_last_lesson_leads_to_its_quiz(trainee, quiz, course, trainee_client):
    _, lessons = course
    lesson_complete(user=trainee, lesson=lessons[0])
    response = trainee_client.post(reverse("lesson_complete", args=[lessons[1].id]))
    assert response.url == quiz.url


def test_dashboard_shows_attempts_and_best_score(trainee, quiz, trainee_client):
    take(trainee, quiz, right=2)
    take(trainee, quiz, right=3)
    html = trainee_client.get(reverse("dashboard")).content.decode()
    row = html.split(f'<a href="{quiz.url}">Module quiz</a>')[1].split("</tr>")[0]
    assert 'data-label="Attempts">2</td>' in row
    assert "60%" in row
    assert "Not passed yet" in row


def test_quiz_page_lists_attempts_and_offers_the_next(trainee, quiz, trainee_client):
    take(trainee, quiz, right=2)
    html = trainee_client.get(quiz.url).content.decode()
    assert "Start attempt 2" in html
    assert "You have 2 attempts left." in html
    assert "40%" in html


def test_an_overdue_last_attempt_stays_graded_when_no_new_attempt_may_start(trainee, quiz):
    quiz.time_limit_minutes = 10
    quiz.max_attempts = 1
    quiz.save_revision().publish()
    with time_machine.travel(START, tick=False):
        attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
        quiz_answers_save(attempt=attempt, answers=answer_key(attempt))
    with time_machine.travel(START + timedelta(hours=1), tick=False), pytest.raises(QuizError) as caught:
        quiz_attempt_start(user=trainee, quiz=quiz)
    assert caught.value.code == "passed"
    attempt.refresh_from_db()
    assert (attempt.status, attempt.timed_out, attempt.score) == (QuizAttempt.SUBMITTED, True, 100)


def test_a_quiz_without_questions_uses_up_no_attempt(trainee, quiz):
    QuizPage.objects.filter(pk=quiz.pk).update(questions=[])
    with pytest.raises(QuizError) as caught:
        quiz_attempt_start(user=trainee, quiz=QuizPage.objects.get(pk=quiz.pk))
    assert caught.value.code == "no_questions"
    assert not QuizAttempt.objects.exists()


def test_an_extra_attempt_is_granted_only_when_needed(trainee, quiz):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    with pytest.raises(QuizError) as caught:
        quiz_attempt_grant(user=trainee, quiz=quiz, granted_by=admin, reason="Just in case")
    assert caught.value.code == "not_needed"
    for _ in range(3):
        take(trainee, quiz, right=0)
    quiz_attempt_grant(user=trainee, quiz=quiz, granted_by=admin, reason="Agreed")
    with pytest.raises(QuizError) as caught:  # a double click
        quiz_attempt_grant(user=trainee, quiz=quiz, granted_by=admin, reason="Agreed")
    assert caught.value.code == "not_needed"


def test_autosave_after_submitting_gets_json_with_the_result_url(trainee, quiz, trainee_client):
    attempt = take(trainee, quiz, right=5)
    response = trainee_client.post(
        reverse("quiz_attempt", args=[attempt.id]), {"action": "save"}, headers={"X-Quiz-Autosave": "1"}
    )
    assert response.status_code == 409
    assert response.json()["redirect"] == reverse("quiz_attempt_result", args=[attempt.id])


def test_submit_saves_and_grades_the_posted_answers_together(trainee, quiz, trainee_client):
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    quiz_answers_save(attempt=attempt, answers=answer_key(attempt, right=False))  # an earlier autosave
    response = trainee_client.post(reverse("quiz_attempt", args=[attempt.id]), _post(answer_key(attempt), "submit"))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 100


def test_the_timer_counts_down_from_the_servers_clock(trainee, quiz, trainee_client):
    quiz.time_limit_minutes = 10
    quiz.save_revision().publish()
    with time_machine.travel(START, tick=False):
        attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    with time_machine.travel(START + timedelta(minutes=4), tick=False):
        html = trainee_client.get(reverse("quiz_attempt", args=[attempt.id])).content.decode()
    assert 'data-seconds-left="360"' in html


def test_an_early_automatic_submit_keeps_the_attempt_open(trainee, quiz, trainee_client):
    quiz.time_limit_minutes = 10
    quiz.save_revision().publish()
    with time_machine.travel(START, tick=False):
        attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    first_only = dict(sorted(answer_key(attempt).items())[:1])
    with time_machine.travel(START + timedelta(minutes=9, seconds=59), tick=False):
        data = {**_post(first_only, "submit"), "timer": "expired"}
        response = trainee_client.post(reverse("quiz_attempt", args=[attempt.id]), data)
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.is_open
    assert AttemptAnswer.objects.filter(attempt_question__attempt=attempt).count() == 1
