"""A quiz's review teaches without giving the answers away: correct answers only after a pass or the last attempt."""

from html import unescape

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse
from wagtail import hooks

from courses import quiz_rules
from courses.models import QuizAttempt
from courses.services import enrolment_create, quiz_answers_save, quiz_attempt_start, quiz_attempt_submit
from lms.roles import PROGRAMME_ADMIN
from tests.factories import PASSWORD, UserFactory, answer_key, build_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(course, trainee):
    """Five single-choice questions, asked in pool order with choices in order; 3 attempts; trainee enrolled.

    In question n the choices are 'Response n.1' (correct), 'Response n.2' and 'Response n.3', each with its
    reasoning 'Reasoning n.k'.
    """
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    return build_quiz(lessons[0].get_parent(), questions=5, shuffle_questions=False, shuffle_choices=False)


def take(user, quiz, *, right: int) -> QuizAttempt:
    """Answer the first `right` questions correctly and the rest with their first wrong choice, and submit."""
    attempt, _ = quiz_attempt_start(user=user, quiz=quiz)
    good, bad = answer_key(attempt), answer_key(attempt, right=False)
    keys = list(attempt.questions.order_by("position").values_list("question_key", flat=True))
    quiz_answers_save(attempt=attempt, answers={k: good[k] if i < right else bad[k] for i, k in enumerate(keys)})
    return quiz_attempt_submit(attempt=attempt)[0]


def result_html(client, attempt) -> str:
    response = client.get(reverse("quiz_attempt_result", args=[attempt.id]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def review_of(html: str) -> str:
    return html[html.index('id="review-title"') :]


def test_a_failed_attempt_with_attempts_left_shows_no_correct_answer(trainee, quiz, trainee_client):
    attempt = take(trainee, quiz, right=3)
    html = result_html(trainee_client, attempt)
    review = review_of(html)
    assert "3 of 5 correct" in html
    assert "You have 2 attempts left." in html
    assert "The correct answers appear once you pass, or after your last attempt" in review
    # Questions 4 and 5 were wrong: the trainee's own choice and its reasoning, never the correct one.
    for number in (4, 5):
        assert f"Response {number}.2" in review and f"Reasoning {number}.2" in review
        assert f"Response {number}.1" not in review and f"Reasoning {number}.1" not in review
        assert f"Response {number}.3" not in review and f"Reasoning {number}.3" not in review
    # Questions 1 to 3 were right: the trainee's own (correct) choice, and no other choice.
    for number in (1, 2, 3):
        assert f"Response {number}.1" in review and f"Reasoning {number}.1" in review
        assert f"Response {number}.2" not in review and f"Response {number}.3" not in review
    assert "Correct answer" not in review
    assert "is-correct" not in review
    assert review.count("tag-wrong") == 2 and review.count("tag-correct") == 3


def test_the_full_review_comes_after_a_pass(trainee, quiz, trainee_client):
    take(trainee, quiz, right=0)
    passed = take(trainee, quiz, right=4)
    review = review_of(result_html(trainee_client, passed))
    assert "Response 5.1" in review and "Reasoning 5.1" in review
    assert "Response 5.3" in review and "Reasoning 5.3" in review
    assert review.count("Correct answer") == 5
    first = review_of(result_html(trainee_client, QuizAttempt.objects.get(user=trainee, number=1)))
    assert first.count("Correct answer") == 5, "once passed, earlier attempts may show the answers too"


def test_the_full_review_comes_after_the_last_attempt(trainee, quiz, trainee_client):
    take(trainee, quiz, right=0)
    second = take(trainee, quiz, right=1)
    assert "Correct answer" not in review_of(result_html(trainee_client, second))
    last = take(trainee, quiz, right=2)
    html = result_html(trainee_client, last)
    assert "2 of 5 correct" in html
    review = review_of(html)
    assert "Response 3.1" in review and "Reasoning 3.1" in review and "Reasoning 3.3" in review
    assert review.count("Correct answer") == 5
    assert "What to do next" in html


def test_unlimited_attempts_show_the_answers_only_after_a_pass(trainee, quiz, trainee_client):
    quiz.max_attempts = None
    quiz.save_revision().publish()
    for _ in range(4):
        failed = take(trainee, quiz, right=1)
    review = review_of(result_html(trainee_client, failed))
    assert "Response 2.1" not in review and "Correct answer" not in review


def test_a_wrong_multiple_select_answer_keeps_every_reasoning_back(course, trainee, trainee_client):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    module = lessons[0].get_parent()
    quiz = build_quiz(module, questions=2, kinds=["multiple", "single"], shuffle_questions=False, shuffle_choices=False)
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    keys = list(attempt.questions.order_by("position").values_list("question_key", flat=True))
    every_choice = {c["key"] for c in attempt.questions.get(position=1).snapshot["choices"]}
    quiz_answers_save(attempt=attempt, answers={keys[0]: every_choice, keys[1]: answer_key(attempt)[keys[1]]})
    quiz_attempt_submit(attempt=attempt)
    html = result_html(trainee_client, attempt)
    review = review_of(html)
    assert "1 of 2 correct" in html
    # Ticking every box must not reveal which are right: the choices are listed, their reasoning is not.
    assert all(f"Response 1.{k}" in review for k in (1, 2, 3))
    assert not any(f"Reasoning 1.{k}" in review for k in (1, 2, 3))
    assert "This answer wasn't fully right. For a question with several right choices, the reasoning waits" in review
    assert "Reasoning 2.1" in review  # the single-choice answer was right, so its reasoning is the trainee's own


def test_partly_correct_answers_are_counted_apart(course, trainee, trainee_client):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    from tests.factories import question_data

    quiz = build_quiz(lessons[0].get_parent(), questions=1, kinds=["multiple"], shuffle_choices=False)
    stream = quiz.questions.stream_block.to_python([question_data(1, "multiple", scoring="partial")])
    quiz.questions = stream
    quiz.save_revision().publish()
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    first = attempt.questions.get().snapshot["choices"][0]["key"]
    quiz_answers_save(attempt=attempt, answers={attempt.questions.get().question_key: {first}})
    quiz_attempt_submit(attempt=attempt)
    assert "0 of 1 correct, and 1 partly correct" in result_html(trainee_client, attempt)


def test_the_quiz_page_lists_how_many_were_correct(trainee, quiz, trainee_client):
    take(trainee, quiz, right=3)
    page = unescape(trainee_client.get(quiz.url).content.decode())
    assert "60% (3 of 5 correct)" in " ".join(page.replace('<span class="meta">', "").replace("</span>", "").split())


@pytest.mark.parametrize(
    ("mode", "passed", "left", "shown"),
    [
        ("full", False, 2, quiz_rules.OWN_ANSWERS),
        ("full", False, None, quiz_rules.OWN_ANSWERS),
        ("full", False, 0, "full"),
        ("full", True, 1, "full"),
        ("wrong", False, 2, "wrong"),
        ("wrong", True, 0, "wrong"),
        ("score", False, 0, "score"),
    ],
)
def test_review_shown(mode, passed, left, shown):
    assert quiz_rules.review_shown(review_mode=mode, quiz_passed=passed, attempts_left=left) == shown


# The editor's warning about a quiz whose attempts repeat the whole pool


@pytest.fixture
def editor_client(client):
    editor = UserFactory(username="robin", roles=[PROGRAMME_ADMIN], is_superuser=True)
    client.login(username=editor.username, password=PASSWORD)
    return client


def _edit_page_messages(client, quiz) -> str:
    response = client.get(reverse("wagtailadmin_pages:edit", args=[quiz.id]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_an_editor_is_warned_when_every_attempt_asks_the_whole_pool(course, editor_client):
    module = course[1][0].get_parent()
    quiz = build_quiz(module, questions=4)
    html = _edit_page_messages(editor_client, quiz)
    assert "every attempt asks all 4 questions in the pool, so a second attempt repeats the first one's" in html


def test_no_warning_when_the_pool_is_larger_than_an_attempt(course, editor_client):
    module = course[1][0].get_parent()
    quiz = build_quiz(module, questions=4, questions_per_attempt=3)
    assert "so a second attempt repeats" not in _edit_page_messages(editor_client, quiz)
    quiz.questions_per_attempt = 4
    assert quiz.attempts_repeat_the_pool
    quiz.max_attempts = 1
    assert not quiz.attempts_repeat_the_pool, "one attempt can't repeat"


def test_saving_such_a_quiz_warns_too(course):
    quiz = build_quiz(course[1][0].get_parent(), questions=2, questions_per_attempt=2)
    request = RequestFactory().post("/admin/pages/edit/", HTTP_ACCEPT="text/html")
    request.session = {}
    request._messages = FallbackStorage(request)
    for hook in hooks.get_hooks("after_edit_page"):
        hook(request, quiz)
    texts = [str(message) for message in request._messages]
    assert any("every attempt asks all 2 questions in the pool" in text for text in texts), texts
