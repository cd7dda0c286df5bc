"""URLs for enrolment, completion and quizzes."""

from django.urls import path

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from courses import views

urlpatterns = [
    path("learn/courses/<id:course_id>/enrol/", views.enrol, name="course_enrol"),
    path("learn/lessons/<id:lesson_id>/complete/", views.complete_lesson, name="lesson_complete"),
    path("learn/quizzes/<id:quiz_id>/start/", views.quiz_start, name="quiz_start"),
    path("learn/attempts/<id:attempt_id>/", views.attempt_take, name="quiz_attempt"),
    path("learn/attempts/<id:attempt_id>/result/", views.attempt_result, name="quiz_attempt_result"),
]
