"""URLs for enrolment, completion and the dashboard."""

from django.urls import path

from courses import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("learn/courses/<int:course_id>/enrol/", views.enrol, name="course_enrol"),
    path("learn/lessons/<int:lesson_id>/complete/", views.complete_lesson, name="lesson_complete"),
]
