"""Whether a course page may be used: published along its whole branch, and its view restrictions pass."""

from wagtail.models import Page

from lms.page_tree import page_tree


def branch_is_live(page: Page, *, request=None) -> bool:
    """Whether the page and every course-tree ancestor above it (module, course) are published.

    Given the request, the ancestors are read from the page tree kept for it, without a query.
    """
    if not page.live:
        return False
    if request is not None:
        return all(ancestor.live for ancestor in page_tree(request).ancestors(page.path))
    ancestor_paths = [page.path[:length] for length in range(len(page.path) - Page.steplen, 0, -Page.steplen)]
    return not Page.objects.filter(path__in=ancestor_paths, live=False).exists()


def request_may_view(page: Page, request) -> bool:
    """Whether every view restriction on the page or its ancestors accepts this request."""
    return all(restriction.accept_request(request) for restriction in page.get_view_restrictions())
