"""Template context from practice on every page: how many batches wait for the signed-in supervisor."""

from functools import cache

from lms.roles import SUPERVISOR, has_role
from practice.selectors import review_waiting_count


def review_waiting(request) -> dict:
    """`review_waiting`: the supervisor's waiting batches, counted once and only when a template asks (else None)."""
    user = getattr(request, "user", None)
    if user is None or not has_role(user, SUPERVISOR):
        return {"review_waiting": None}
    return {"review_waiting": cache(lambda: review_waiting_count(supervisor=user))}
