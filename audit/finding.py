"""Finding a trainee or a certificate for the audit trails."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet

from audit.names import roles_of
from certificates.codes import normalise_code
from certificates.models import Certificate

SEARCH_PAGE_SIZE = 25
CERTIFICATES_FOUND = 20


def find_people(query: str) -> QuerySet:
    """People whose name, username or email contains every word of the query, by name."""
    people = get_user_model().objects.all()
    for word in query.split():
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return people.order_by("last_name", "first_name", "username", "pk")


def find_certificates(query: str) -> list[Certificate]:
    """Certificates whose number contains the query, or whose verification code it is (at most CERTIFICATES_FOUND)."""
    query = query.strip()
    if not query:
        return []
    matches = Q(number__icontains=query)
    if code := normalise_code(query):
        matches |= Q(code=code)
    return list(Certificate.objects.filter(matches).select_related("programme").order_by("number")[:CERTIFICATES_FOUND])


def people_with_roles(people: list[AbstractBaseUser]) -> list[tuple[AbstractBaseUser, str]]:
    """Each person with their roles in words, in one query."""
    roles = roles_of(people)
    return [(person, roles.get(person.pk, "")) for person in people]


def person_certificates(*, person: AbstractBaseUser) -> list[Certificate]:
    """The person's certificates, newest first."""
    return list(Certificate.objects.filter(holder=person).select_related("programme").order_by("-issued_at", "-pk"))
