"""Read quiz answers from a posted form."""

from django.http import QueryDict

ANSWER_PREFIX = "q-"


def answers_from_post(data: QueryDict) -> dict[str, set[str]]:
    """Map each posted question key (fields named q-<key>) to the set of choice keys posted for it."""
    return {
        name[len(ANSWER_PREFIX) :]: {value for value in data.getlist(name) if value}
        for name in data
        if name.startswith(ANSWER_PREFIX)
    }
