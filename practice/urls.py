"""URLs for the practice log and supervisor review."""

from django.urls import path

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from practice import group_views, invitation_views, views

urlpatterns = [
    path("practice/", views.practice_log, name="practice_log"),
    path("practice/entries/new/", views.entry_new, name="practice_entry_new"),
    path("practice/supervision/new/", views.supervision_new, name="practice_supervision_new"),
    path("practice/entries/<id:entry_id>/", views.entry_detail, name="practice_entry"),
    path("practice/entries/<id:entry_id>/edit/", views.entry_edit, name="practice_entry_edit"),
    path("practice/entries/<id:entry_id>/duplicate/", views.entry_duplicate, name="practice_entry_duplicate"),
    path("practice/entries/<id:entry_id>/delete/", views.entry_remove, name="practice_entry_delete"),
    path("practice/supervisor-request/", views.supervisor_request_new, name="practice_supervisor_request"),
    path("practice/invitations/<id:invitation_id>/", invitation_views.invitation_answer, name="practice_invitation"),
    path("practice/submit/", views.submit, name="practice_submit"),
    path("practice/batches/<id:batch_id>/withdraw/", views.batch_withdraw_view, name="practice_batch_withdraw"),
    path("practice/hours.csv", views.hours_csv, name="practice_hours_csv"),
    path("practice/hours.pdf", views.hours_pdf, name="practice_hours_pdf"),
    path("practice/review/", views.review_queue_view, name="practice_review"),
    path("practice/review/batches/<id:batch_id>/", views.review_batch, name="practice_review_batch"),
    path(
        "practice/review/trainees/<id:trainee_id>/progress/", views.trainee_progress, name="practice_trainee_progress"
    ),
    path("practice/review/trainees/<id:trainee_id>/hours.csv", views.trainee_hours_csv, name="practice_trainee_csv"),
    path("practice/review/trainees/<id:trainee_id>/hours.pdf", views.trainee_hours_pdf, name="practice_trainee_pdf"),
    path("practice/review/invitations/", invitation_views.invitations, name="practice_invitations"),
    path(
        "practice/review/invitations/<id:invitation_id>/withdraw/",
        invitation_views.invitation_withdraw,
        name="practice_invitation_withdraw",
    ),
    path("practice/review/profile/", views.supervisor_profile, name="practice_supervisor_profile"),
    path("practice/group-sessions/<id:session_id>/", group_views.group_entry, name="practice_group_entry"),
    path("practice/review/group-sessions/", group_views.group_sessions, name="practice_review_group_sessions"),
    path(
        "practice/review/group-sessions/new/", group_views.group_session_new, name="practice_review_group_session_new"
    ),
    path(
        "practice/review/group-sessions/<id:session_id>/",
        group_views.group_session_detail,
        name="practice_review_group_session",
    ),
]
