"""Whether a course page may be used: published along its whole branch, and its view restrictions pass."""

from wagtail.models import Page


def branch_is_live(page: Page) -> bool:
    """Whether the page and every course-tree ancestor above it (module, course) are published."""
    if not page.live:
        return False
    ancestor_paths = [page.path[:length] for length in range(len(page.path) - Page.steplen, 0, -Page.steplen)]
    return not Page.objects.filter(path__in=ancestor_paths, live=False).exists()


def request_may_view(page: Page, request) -> bool:
    """Whether every view restriction on the page or its ancestors accepts this request."""
    return all(restriction.accept_request(request) for restriction in page.get_view_restrictions())
