"""The trails read the kinds of record each app registered: every one is about a person or a certificate."""

from lms.trail import HistorySource, trail_sources


def test_each_domain_app_registered_its_records():
    owners = {key: source.model._meta.app_label for key, source in trail_sources().items()}
    assert owners == {
        "entry": "practice",
        "batch": "practice",
        "assignment": "practice",
        "supervisor_profile": "practice",
        "supervisor_invitation": "practice",
        "attestation": "practice",
        "group_session": "practice",
        "skills_sign_off": "practice",
        "enrolment": "courses",
        "quiz_attempt": "courses",
        "grant": "courses",
        "certificate": "certificates",
        "ethics": "certificates",
        "credential": "certificates",
        "name_change": "accounts",
        "verifier_profile": "verification",
        "api_token": "verification",
    }


def test_every_source_says_whom_or_what_its_rows_concern():
    assert all(source.person or source.certificate for source in trail_sources().values())
    assert {key for key, source in trail_sources().items() if source.certificate} == {"certificate", "credential"}


def test_free_text_and_secrets_are_withheld_by_the_apps_that_hold_them():
    sources = trail_sources()
    assert {"reflection", "topics", "return_comment"} <= sources["entry"].withheld
    assert "digest" in sources["api_token"].withheld
    assert isinstance(sources["entry"], HistorySource)
