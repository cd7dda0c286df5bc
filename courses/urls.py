"""URLs for enrolment, completion, quizzes and the dashboard."""

from django.urls import path

from courses import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("learn/courses/<int:course_id>/enrol/", views.enrol, name="course_enrol"),
    path("learn/lessons/<int:lesson_id>/complete/", views.complete_lesson, name="lesson_complete"),
    path("learn/quizzes/<int:quiz_id>/start/", views.quiz_start, name="quiz_start"),
    path("learn/attempts/<int:attempt_id>/", views.attempt_take, name="quiz_attempt"),
    path("learn/attempts/<int:attempt_id>/result/", views.attempt_result, name="quiz_attempt_result"),
]
