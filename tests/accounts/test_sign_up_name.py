"""Signing up asks for the name to print on the certificate: required, tidied, greeted by and certified under."""

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model

from accounts.services import AccountError, user_name_set
from tests.accounts.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a sturdy passphrase 91"
FIRST_REQUIRED = "Tell us your first name, as it should appear on your certificate."
LAST_REQUIRED = "Tell us your last name, as it should appear on your certificate."
WHOLE_NAME_TOO_LONG = (
    "Keep your first and last names to 299 characters together, so the whole name fits on your certificate."
)
HIDDEN = "has a hidden control character in it, perhaps pasted in by accident. Please type it again."


def _sign_up(client, first_name="Jordan", last_name="Rivera", username="jrivera"):
    return client.post(
        "/accounts/signup/",
        {
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "email": f"{username}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def _errors(response) -> dict[str, list[str]]:
    """The error messages the sign-up page shows, by the field they belong to."""
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def test_the_sign_up_form_asks_for_the_name_first_and_says_where_it_is_printed(client):
    html = client.get("/accounts/signup/").content.decode()
    form = BeautifulSoup(html, "html.parser").find("form", action="/accounts/signup/")
    names = [field["name"] for field in form.find_all("input") if field.get("type") not in {"hidden", "submit"}]
    assert names[:3] == ["first_name", "last_name", "email"]
    expected = {
        "first_name": (
            "First name",
            "given-name",
            "Your name is printed on your certificate exactly as you type it here. Add any middle names you want "
            "printed.",
        ),
        "last_name": (
            "Last name",
            "family-name",
            "You can correct your name later under Your data, linked at the foot of every page.",
        ),
    }
    for name, (label, autocomplete, hint) in expected.items():
        field = form.find("input", attrs={"name": name})
        assert field.has_attr("required") and field["maxlength"] == "150" and field["autocomplete"] == autocomplete
        assert form.find("label", attrs={"for": field["id"]}).get_text(strip=True).rstrip(":") == label
        assert form.find(id=field["aria-describedby"]).get_text(strip=True) == hint  # read out with the box


@pytest.mark.parametrize(
    ("first_name", "last_name", "expected"),
    [
        ("", "", {"first_name": [FIRST_REQUIRED], "last_name": [LAST_REQUIRED]}),
        ("Jordan", "", {"last_name": [LAST_REQUIRED]}),
        ("   ", "Rivera", {"first_name": [FIRST_REQUIRED]}),  # spaces alone are no name
        ("J" * 151, "Rivera", {"first_name": ["Keep your first name to 150 characters or fewer."]}),
        ("Jordan", "R" * 151, {"last_name": ["Keep your last name to 150 characters or fewer."]}),
        (
            "J" * 150,
            "R" * 150,
            {"last_name": [WHOLE_NAME_TOO_LONG]},
        ),  # 301 with the space: more than a certificate holds
        ("Jordan\u202e", "Rivera", {"first_name": [f"Your first name {HIDDEN}"]}),  # would print the rest reversed
        ("Jordan", "Rive\x07ra", {"last_name": [f"Your last name {HIDDEN}"]}),
    ],
)
def test_both_names_are_required_and_the_page_says_what_to_fix(client, first_name, last_name, expected):
    response = _sign_up(client, first_name=first_name, last_name=last_name)
    assert response.status_code == 200
    assert _errors(response) == expected
    html = response.content.decode()
    for messages in expected.values():
        assert all(message in html for message in messages)
    assert not get_user_model().objects.filter(username="jrivera").exists()


def test_the_names_are_saved_trimmed_with_single_spaces(client):
    response = _sign_up(client, first_name="  Mary   Ann ", last_name="\tde la  Cruz\r\n")
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(username="jrivera")
    assert (user.first_name, user.last_name) == ("Mary Ann", "de la Cruz")
    assert user.get_full_name() == "Mary Ann de la Cruz"


def test_a_name_of_exactly_150_characters_fits(client):
    response = _sign_up(client, first_name="J" * 150)
    assert response.status_code == 302
    assert get_user_model().objects.get(username="jrivera").first_name == "J" * 150


def test_the_longest_whole_name_is_signed_and_certified_in_full(client, django_capture_on_commit_callbacks):
    """299 characters with the space: what a certificate's holder name and a signed attestation hold (300)."""
    from certificates.models import Certificate, EthicsAttestation
    from tests.factories import approve_programme_hours, build_assignment, build_programme

    first_name, last_name = "J" * 150, "R" * 149
    assert _sign_up(client, first_name=first_name, last_name=last_name).status_code == 302
    user = get_user_model().objects.get(username="jrivera")
    EmailAddress.objects.filter(user=user).update(verified=True)
    programme = build_programme(ethics_attestation_required=True)
    log_in(client, "jrivera", PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        approve_programme_hours(build_assignment(trainee=user))
        assert client.post(f"/certificates/programmes/{programme.pk}/ethics/", {"agreed": "on"}).status_code == 302
    whole_name = f"{first_name} {last_name}"
    assert EthicsAttestation.objects.get(user=user, programme=programme).signed_name == whole_name
    assert Certificate.objects.get(holder=user, programme=programme).holder_name == whole_name


def test_the_dashboard_greets_the_new_trainee_by_the_name_they_gave(client):
    _sign_up(client)
    EmailAddress.objects.filter(email="jrivera@example.org").update(verified=True)
    response = log_in(client, "jrivera", PASSWORD)
    assert response["Location"] == "/dashboard/"
    heading = BeautifulSoup(client.get("/dashboard/").content.decode(), "html.parser").h1.get_text(strip=True)
    assert heading == "Welcome, Jordan"


def test_the_ethics_attestation_and_a_later_certificate_carry_the_name_given_at_sign_up(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from certificates.models import Certificate, EthicsAttestation
    from tests.certificates.test_pdf import folded, pdf_text
    from tests.factories import approve_programme_hours, build_assignment, build_programme

    settings.MEDIA_ROOT = tmp_path / "media"
    _sign_up(client)
    user = get_user_model().objects.get(username="jrivera")
    EmailAddress.objects.filter(user=user).update(verified=True)
    programme = build_programme(ethics_attestation_required=True)
    log_in(client, "jrivera", PASSWORD)
    assert "You'll sign as Jordan Rivera." in client.get("/dashboard/").content.decode().replace("&#x27;", "'")

    with django_capture_on_commit_callbacks(execute=True):  # issuing, then rendering, run once each step commits
        approve_programme_hours(build_assignment(trainee=user))
        response = client.post(f"/certificates/programmes/{programme.pk}/ethics/", {"agreed": "on"})
    assert response.status_code == 302
    assert EthicsAttestation.objects.get(user=user, programme=programme).signed_name == "Jordan Rivera"

    certificate = Certificate.objects.get(holder=user, programme=programme)
    assert certificate.holder_name == "Jordan Rivera"
    (stored,) = certificate.files.filter(paper="a4")
    with stored.file.open("rb") as pdf:
        assert "Jordan Rivera" in folded(pdf_text(pdf.read()))
    assert "Jordan Rivera" in client.get(f"/verify/{certificate.display_code}/").content.decode()


@pytest.mark.parametrize(
    ("first_name", "last_name", "code"),
    [
        (" ", "Rivera", "first_name_required"),
        ("Jordan", "", "last_name_required"),
        ("Jordan", "R" * 151, "name_too_long"),
        ("J" * 150, "R" * 150, "name_too_long"),
        ("Jor\x00dan", "Rivera", "name_invalid"),
        ("Jordan", "\u2066Rivera\u2069", "name_invalid"),
        ("Jordan\u200f", "Rivera", "name_invalid"),  # a right-to-left mark
        ("Jordan", "Ri\u200bvera", "name_invalid"),  # a zero-width space: looks like "Rivera", isn't
    ],
)
def test_the_name_service_refuses_what_cannot_be_printed_and_keeps_the_old_name(first_name, last_name, code):
    user = UserFactory(first_name="Sam", last_name="Lee")
    with pytest.raises(AccountError) as raised:
        user_name_set(user=user, first_name=first_name, last_name=last_name)
    assert raised.value.code == code
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Sam", "Lee")


def test_the_name_service_saves_the_tidied_name():
    user = UserFactory(first_name="Sam", last_name="Lee")
    user_name_set(user=user, first_name=" Samira ", last_name="Lee  Okafor")
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Samira", "Lee Okafor")


def test_the_name_service_keeps_the_joiners_some_scripts_spell_names_with():
    karthik = (
        "\u0d15\u0d3e\u0d30\u0d4d\u200d\u0d24\u0d4d\u0d24\u0d3f\u0d15\u0d4d"  # Malayalam, with a zero-width joiner
    )
    niknam = "\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645"  # Persian, with a zero-width non-joiner
    user = UserFactory(first_name="Sam", last_name="Lee")
    user_name_set(user=user, first_name=karthik, last_name=niknam)
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == (karthik, niknam)
