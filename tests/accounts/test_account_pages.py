"""Every allauth page a person can reach wears the site's layout and its words: "Log in", "Log out", "Sign up"."""

import re
import time
from pathlib import Path

import pytest
import time_machine
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lms.roles import SUPERVISOR
from tests.accounts.conftest import last_email_to, links_in, log_in, signed_in_user_id, verified
from tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db

FORBIDDEN = ("Sign In", "Sign Up", "Sign Out")  # allauth's verbs; the site says "Log in", "Log out", "Sign up"
SITE_TEMPLATES = Path(settings.BASE_DIR) / "templates"
# allauth's one-line wrappers that only extend a layout we override: nothing of allauth's own shows through them.
WRAPPERS = {
    "account/base_entrance.html",
    "account/base_manage.html",
    "account/base_manage_email.html",
    "account/base_manage_password.html",
    "mfa/base_entrance.html",
    "mfa/base_manage.html",
    "mfa/totp/base.html",
    "mfa/recovery_codes/base.html",
}
NEW_PASSWORD = "a sturdy passphrase 91"


def allauth_url_names() -> set[str]:
    """The names of every URL allauth mounts under /accounts/."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.callback.__module__.startswith("allauth."):
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def assert_site_page(response, where: str) -> str:
    """The page is the site's: its header, skip link and footer, an h1, no allauth verbs, no allauth template."""
    assert response.status_code == 200, where
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("header.site-header nav.site-nav") is not None, where
    assert soup.select_one("a.skip-link") is not None and soup.select_one("footer.site-footer") is not None, where
    assert soup.h1 is not None and soup.h1.get_text(strip=True), where
    assert soup.select_one("body.auth-page") is not None, where
    assert [word for word in FORBIDDEN if word in html] == [], where
    for template in response.templates:
        name = template.name or ""
        if name.startswith(("account/", "mfa/", "allauth/")) and name not in WRAPPERS:
            assert Path(template.origin.name).is_relative_to(SITE_TEMPLATES), f"{where}: allauth's own {name}"
    return html


def visit(client, path: str, where: str, seen: dict) -> None:
    """Follow the path to the page it lands on, check that page, and note which URL names were seen."""
    response = client.get(path, follow=True)
    landed = response.resolver_match.url_name
    if landed not in allauth_url_names():  # e.g. logging out when not logged in goes to the home page
        return
    if response.get("Content-Type", "").startswith("text/plain"):  # the recovery codes download
        assert response.status_code == 200, where
    else:
        assert_site_page(response, where)
    seen.setdefault(landed, []).append(where)


def sign_up(client, *, username="jrivera", email="jrivera@example.org", **changes):
    """Post the sign-up form."""
    data = {
        "first_name": "Jordan",
        "last_name": "Rivera",
        "username": username,
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **changes,
    }
    return client.post(reverse("account_signup"), data)


def confirmation_path(address: str) -> str:
    """The path of the confirmation link in the latest email to the address."""
    (link,) = [link for link in links_in(last_email_to(address)) if "/accounts/confirm-email/" in link]
    return link.removeprefix(settings.SITE_URL)


def test_every_allauth_page_uses_the_site_layout_and_its_words():
    names = allauth_url_names()
    seen: dict[str, list[str]] = {}

    anonymous = Client()
    assert sign_up(anonymous, username="walker", email="walker@example.org").status_code == 302
    real_confirmation = confirmation_path("walker@example.org")
    for name in sorted(names - {"account_confirm_email", "account_reset_password_from_key"}):
        visit(anonymous, reverse(name), f"anonymous {name}", seen)
    visit(anonymous, real_confirmation, "anonymous a real confirmation link", seen)
    visit(anonymous, reverse("account_confirm_email", args=["not-a-key"]), "anonymous an expired link", seen)
    reset = reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "not-a-key"})
    visit(anonymous, reset, "anonymous a bad reset link", seen)

    verified(UserFactory(username="forgetful", email="forgetful@example.org"))
    anonymous.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    (link,) = [link for link in links_in(last_email_to("forgetful@example.org")) if "/password/reset/key/" in link]
    visit(anonymous, link.removeprefix(settings.SITE_URL), "anonymous a real reset link", seen)

    # Half-way through logging in with two-factor: the code page.
    supervisor = verified(UserFactory(username="sam_sup", roles=[SUPERVISOR]))
    staff = Client()
    assert log_in(staff, supervisor.username)["Location"] == reverse("mfa_authenticate")
    visit(staff, reverse("mfa_authenticate"), "mid-login mfa_authenticate", seen)
    staff.post(reverse("mfa_authenticate"), {"code": totp_code(supervisor)})
    assert signed_in_user_id(staff) == supervisor.pk

    # Signed in, before and after confirming it's them (allauth asks again before sensitive changes).
    for when in ("signed in", "signed in and reauthenticated"):
        for name in sorted(names - {"account_confirm_email", "account_reset_password_from_key"}):
            visit(staff, reverse(name), f"{when} {name}", seen)
        staff.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    visit(staff, reverse("account_confirm_email", args=["not-a-key"]), "signed in an expired link", seen)

    trainee = Client()
    trainee.force_login(verified(UserFactory(username="no_two_factor")))
    visit(trainee, reverse("mfa_index"), "trainee mfa_index", seen)
    trainee.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    visit(trainee, reverse("mfa_activate_totp"), "trainee mfa_activate_totp", seen)

    reachable = {
        "account_login",
        "account_signup",
        "account_logout",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_change_password",
        "account_email",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_reauthenticate",
        "account_inactive",
        "mfa_index",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
    }
    assert reachable <= set(seen), sorted(reachable - set(seen))


def test_the_sign_up_form_summarises_its_errors_and_marks_each_field():
    client = Client()
    UserFactory(username="taken_name")
    response = sign_up(client, first_name="", username="taken_name", email="not an address", password2="different")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    summary = soup.select_one("#error-summary")
    assert summary is not None and summary["tabindex"] == "-1" and summary["role"] == "alert"
    assert summary.h2.get_text(strip=True) == "Your account hasn't been made yet"
    assert summary.find_previous("h1").get_text(strip=True) == "Sign up"  # the summary comes before the form
    assert summary.find_next("form")["action"] == "/accounts/signup/"
    links = {link["href"]: link.get_text(" ", strip=True) for link in summary.find_all("a")}
    assert set(links) == {"#id_first_name", "#id_username", "#id_email", "#id_password2"}
    assert links["#id_first_name"] == "First name: Tell us your first name, as it should appear on your certificate."
    assert links["#id_password2"] == "Type the password again: You must type the same password each time."
    for field_id in links:
        field = soup.select_one(field_id)
        assert field["aria-invalid"] == "true"
        described = field["aria-describedby"].split()
        assert f"{field_id[1:]}_error" in described
        error = soup.find(id=f"{field_id[1:]}_error")
        assert error.get_text(" ", strip=True) in links[field_id]
        assert "has-error" in field.find_parent(class_="form-row")["class"]
    # A field without a problem is left unmarked.
    assert not soup.select_one("#id_last_name").has_attr("aria-invalid")
    assert not get_user_model().objects.filter(username="jrivera").exists()


def test_a_refused_log_in_is_summarised_at_the_top():
    verified(UserFactory(username="robin"))
    response = log_in(Client(), "robin", "not the password")
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    summary = soup.select_one("#error-summary[tabindex='-1']")
    assert summary.h2.get_text(strip=True) == "We couldn't log you in"
    assert "The username and/or password you specified are not correct." in summary.get_text()
    assert soup.find("button", type="submit").get_text(strip=True) == "Log in"
    assert soup.select_one("label[for=id_login]").get_text(strip=True) == "Username or email address:"
    assert not soup.select("input[placeholder]")  # labels, not placeholders, say what goes where


def test_signing_up_and_opening_the_link_in_the_same_browser_logs_the_person_in():
    client = Client()
    assert sign_up(client)["Location"] == "/accounts/confirm-email/"
    assert signed_in_user_id(client) is None
    path = confirmation_path("jrivera@example.org")
    page = client.get(path)
    assert "Yes, confirm my address" in page.content.decode()
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    user = get_user_model().objects.get(username="jrivera")
    assert signed_in_user_id(client) == user.pk
    assert EmailAddress.objects.get(user=user).verified
    dashboard = client.get("/dashboard/")
    messages = [str(message) for message in dashboard.context["messages"]]
    assert messages == ["Thank you: jrivera@example.org is confirmed.", "Welcome, Jordan. You're logged in."]
    assert BeautifulSoup(dashboard.content.decode(), "html.parser").h1.get_text(strip=True) == "Welcome, Jordan"


def test_opening_the_link_in_another_browser_confirms_but_asks_to_log_in():
    sign_up(Client())
    elsewhere = Client()
    response = elsewhere.post(confirmation_path("jrivera@example.org"))
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert signed_in_user_id(elsewhere) is None  # the link alone is no key to the account
    assert EmailAddress.objects.get(email="jrivera@example.org").verified
    assert log_in(elsewhere, "jrivera", NEW_PASSWORD)["Location"] == "/dashboard/"


def test_a_link_opened_after_the_login_wait_confirms_but_asks_to_log_in():
    client = Client()
    sign_up(client)
    path = confirmation_path("jrivera@example.org")
    with time_machine.travel(time.time() + 16 * 60):  # allauth keeps a login waiting for 15 minutes
        response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert signed_in_user_id(client) is None
    assert EmailAddress.objects.get(email="jrivera@example.org").verified


def assert_plain_subject(message, subject: str) -> None:
    """The subject as written, with no "[host]" or "[site]" in front."""
    assert message.subject == subject
    assert "[" not in message.subject


def test_the_sign_up_email_is_warm_and_plain():
    sign_up(Client())
    message = last_email_to("jrivera@example.org")
    assert_plain_subject(message, "Confirm your email address to finish signing up for Peer Specialist Training")
    body = message.body
    assert body.startswith("Hello Jordan,\n\nThank you for signing up for Peer Specialist Training.")
    assert "you'll be logged in straight away" in body and "Your username is jrivera." in body
    assert body.rstrip().endswith("With warm wishes,\nThe Peer Specialist Training team")
    assert [word for word in FORBIDDEN if word in body] == []


def test_a_password_reset_email_names_the_username_and_says_nothing_changes_if_ignored():
    verified(UserFactory(username="robin", first_name="Robin", email="robin@example.org"))
    Client().post(reverse("account_reset_password"), {"email": "robin@example.org"})
    message = last_email_to("robin@example.org")
    assert_plain_subject(message, "Choose a new password for Peer Specialist Training")
    assert message.body.startswith("Hello Robin,\n\nSomeone, hopefully you, asked to reset the password")
    assert "your username is robin." in message.body
    assert "Your password stays as it is." in message.body
    assert any("/accounts/password/reset/key/" in link for link in links_in(message))


def test_a_reset_for_an_unknown_address_invites_the_person_to_sign_up():
    Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    message = last_email_to("nobody@example.org")
    assert_plain_subject(message, "About your request to Peer Specialist Training")
    assert message.body.startswith("Hello,\n\nSomeone, perhaps you, asked to reset the password")
    assert "We don't have an account for this address." in message.body
    assert any(link.endswith("/accounts/signup/") for link in links_in(message))


def test_signing_up_with_a_used_address_tells_its_owner_kindly():
    verified(UserFactory(email="taken@example.org"))
    mail.outbox.clear()
    sign_up(Client(), email="taken@example.org")
    message = last_email_to("taken@example.org")
    assert_plain_subject(message, "You already have an account with Peer Specialist Training")
    assert "There's already an account for it, so we didn't make another." in message.body
    assert any(link.endswith("/accounts/password/reset/") for link in links_in(message))


def test_an_added_address_is_confirmed_by_its_own_email(client):
    client.force_login(verified(UserFactory(username="adds_one", first_name="Ada")))
    client.post(reverse("account_email"), {"action_add": "", "email": "second@example.org"})
    message = last_email_to("second@example.org")
    assert_plain_subject(message, "Confirm your email address for Peer Specialist Training")
    assert message.body.startswith("Hello Ada,\n\nPlease confirm that this email address belongs to your")


def test_a_changed_password_is_told_to_its_owner_plainly(client):
    user = verified(UserFactory(username="notified", first_name="Noor"))
    client.force_login(user)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    message = last_email_to(user.email)
    assert_plain_subject(message, "Your Peer Specialist Training password was changed")
    assert message.body.startswith("Hello Noor,\n\nThe password for your Peer Specialist Training account was just")
    assert "If this was you, there's nothing more to do." in message.body
    assert re.search(r"The change was made on \d{1,2} \w+ \d{4} at \d\d:\d\d from the address", message.body)


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_the_login_and_sign_up_pages_cost_no_query(client, django_assert_num_queries, path):
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 200
