"""Emails: rendered from templates when something happens, sent by a background task once the change commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> None:
    """Send one plain-text email."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def email_on_commit(*, template: str, to: list[str], context: dict) -> None:
    """Render templates/<template>_subject.txt and _body.txt and send them after the transaction commits.

    Recipients without an address are skipped. The context gets `site_url` and `contact_email`.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return
    context = {"site_url": settings.SITE_URL, "contact_email": settings.CONTACT_EMAIL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    transaction.on_commit(lambda: send_email.enqueue(to=recipients, subject=subject, body=body))
