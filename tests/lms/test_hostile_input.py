"""Hostile input on every form of the site: very long text, markup, null bytes and broken files give a clear answer.

The walker opens every page of the URLconf table (tests/lms/test_access_matrix.py) as someone allowed to see it,
finds each form on it and sends it back with every field, hidden ones included, replaced by hostile values. No
answer may be a server error, and markup sent in must never come back unescaped. Each submission runs in a
transaction that is rolled back, so a form that deletes or withdraws something leaves the next page intact.
"""

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tests.lms.access_world import ROLES, all_routes, build_world
from tests.lms.test_access_matrix import EXPECTED, Asker, address

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("hostile")</script><img src=x onerror=alert(1)>'
HOSTILE_TEXT = {
    "very long": "Ā" * 100_000,
    "markup": MARKUP,
    "null byte": "before\x00after",
    "control characters": "\u202eright-to-left\u0007bell\r\n\t",
    "an id past the database's largest": str(2**64),  # in a choice of records, it must name nothing
}
# Bytes that are not UTF-8, a script dressed as an image, and an empty file.
HOSTILE_FILES = {
    "latin-1 CSV": ("codes.csv", "code,note\nABCD,café crème\n".encode("latin-1"), "text/csv"),
    "svg with a script": (
        "picture.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/png",
    ),
    "empty": ("empty.pdf", b"", "application/pdf"),
}
# Forms the walker leaves alone: signing out ends the session the rest of the walk needs.
SKIPPED_ACTIONS = ("/accounts/logout/", "/admin/logout/")
ASK_AS = ("trainee", "supervisor", "verifier", "admin", "anonymous", "other_trainee", "other_supervisor")


@dataclass
class FoundForm:
    """A form found on a page: who saw it, where it posts, and its fields."""

    role: str
    page: str
    action: str
    fields: list[tuple[str, str, str]]  # (name, kind, value as the page gave it)


def forms_on(html: str, page: str, role: str) -> list[FoundForm]:
    """The POST forms of a page, with every field that has a name."""
    found = []
    for form in BeautifulSoup(html, "html.parser").find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = urlsplit(urljoin(f"http://testserver{page}", form.get("action") or page))
        action = action.path + (f"?{action.query}" if action.query else "")
        if action.startswith(SKIPPED_ACTIONS) or not action.startswith("/"):
            continue
        fields = []
        for field in form.find_all(["input", "textarea", "select", "button"]):
            name = field.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            kind = field.name if field.name != "input" else (field.get("type") or "text").lower()
            value = field.get("value") or ""
            if field.name == "textarea":
                value = field.text
            elif field.name == "select":
                option = field.find("option", selected=True) or field.find("option")
                value = option.get("value", option.text) if option else ""
            fields.append((name, kind, value))
        found.append(FoundForm(role=role, page=page, action=action, fields=fields))
    return found


def every_form(world, asker) -> list[FoundForm]:
    """Each distinct form on every page of the table, as the first person in ASK_AS who may see the page."""
    forms, seen = [], set()
    for route, _ in all_routes():
        if route not in EXPECTED or route.startswith(("api/", "credentials/", ".well-known/")):
            continue
        statuses = dict(zip(ROLES, EXPECTED[route].split(), strict=True))
        role = next((role for role in ASK_AS if statuses[role] == "200"), None)
        if role is None:
            continue
        page = address(route, world)
        response = asker.get(role, page)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for form in forms_on(response.content.decode(), page, role):
            key = (form.role, form.action, tuple(name for name, _, _ in form.fields))
            if key not in seen:
                seen.add(key)
                forms.append(form)
    return forms


def hostile_payloads(form: FoundForm):
    """(label, data) pairs: each hostile text in every field at once, then each hostile file in every file field."""
    files = [name for name, kind, _ in form.fields if kind == "file"]
    for label, text in HOSTILE_TEXT.items():
        data = {}
        for name, kind, _ in form.fields:
            if kind != "file":
                data.setdefault(name, []).append(text)
        yield label, data
    for label, (file_name, content, content_type) in HOSTILE_FILES.items():
        if files:
            data = {name: value for name, kind, value in form.fields if kind not in {"file", "submit", "button"}}
            data.update({name: SimpleUploadedFile(file_name, content, content_type) for name in files})
            yield label, data


def test_every_form_answers_hostile_input_without_a_server_error_or_unescaped_markup():
    world = build_world()
    asker = Asker(world)
    forms = every_form(world, asker)
    assert len(forms) >= 20, [form.action for form in forms]  # the walk found the site's forms
    problems = []
    for form in forms:
        for label, data in hostile_payloads(form):
            with transaction.atomic():
                response = asker.clients[form.role].post(form.action, data)
                transaction.set_rollback(True)
            where = f"{form.action} (form on {form.page} as {form.role}) with {label}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif MARKUP in response.content.decode(errors="replace"):
                problems.append(f"{where}: the markup came back unescaped")
    assert problems == [], "\n".join(problems)


def test_a_login_longer_than_any_account_gets_the_usual_error_not_a_database_error(client):
    cache.clear()  # failed logins counted by an earlier test in this process (the form walk) would refuse this one
    response = client.post("/accounts/login/", {"login": "someone" * 20_000, "password": "whatever it is"})
    assert response.status_code == 200
    assert "The username and/or password you specified are not correct." in response.content.decode()


HOSTILE_FIRST, HOSTILE_LAST = '<b onmouseover="alert(1)">Rosa</b>', "O'Brien & <i>Sons</i>"


def test_markup_in_a_name_is_text_in_pages_pdfs_and_emails(client, django_capture_on_commit_callbacks):
    from django.core import mail

    from tests.certificates.test_pdf import folded, pdf_text
    from tests.factories import PASSWORD, issued_certificate

    with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered and mailed once issuing commits
        certificate = issued_certificate(first_name=HOSTILE_FIRST, last_name=HOSTILE_LAST)
    literal = f"{HOSTILE_FIRST} {HOSTILE_LAST}"
    assert certificate.holder_name == literal

    escaped = "&lt;b onmouseover=&quot;alert(1)&quot;&gt;Rosa&lt;/b&gt; O&#x27;Brien &amp; &lt;i&gt;Sons&lt;/i&gt;"
    for url in (f"/verify/{certificate.display_code}/", f"/certificates/{certificate.pk}/"):
        if url.startswith("/certificates/"):
            client.login(username=certificate.holder.username, password=PASSWORD)
        html = client.get(url).content.decode()
        assert escaped in html and "<b onmouseover" not in html, url

    (stored,) = certificate.files.filter(paper="a4")
    with stored.file.open("rb") as pdf:
        assert literal in folded(pdf_text(pdf.read()))  # printed as the characters typed, not as markup

    sent = {message.subject: message for message in mail.outbox}
    to_supervisor = sent[f"{literal} sent you 2 entries to review"]  # the subject holds the name as typed
    ready = sent["Congratulations: your Certified Peer Specialist certificate is ready"]
    for message in (to_supervisor, ready):
        assert not getattr(message, "alternatives", [])  # plain text only: nothing in it can run
        assert "&lt;" not in message.body and "&#x27;" not in message.body and "&amp;" not in message.body
    assert f"{literal} has sent you 2 practice log entries" in to_supervisor.body
    assert ready.body.startswith(f"Hello {literal},")


def test_markup_in_a_reflection_is_text_for_the_trainee_and_the_supervisor(client):
    from practice.services import entries_submit, entry_create
    from tests.factories import PASSWORD, build_assignment, entry_data

    assignment = build_assignment()
    reflection = f"I noticed how much the pause helped. {MARKUP}"
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment, reflection=reflection))
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    escaped = "&lt;script&gt;alert(&quot;hostile&quot;)&lt;/script&gt;"
    for user, url in (
        (assignment.trainee, f"/practice/entries/{entry.pk}/"),
        (assignment.supervisor, f"/practice/review/batches/{batch.pk}/"),
    ):
        client.login(username=user.username, password=PASSWORD)
        html = client.get(url).content.decode()
        assert "I noticed how much the pause helped." in html and escaped in html and MARKUP not in html, url
