"""The page tree as published, read from the database once per change and kept by each server process.

Every request reads one version token from the shared cache (one query with the database cache). A process keeps
what it built from the tree (sites, routes, view restrictions, course and programme outlines) under that token, so a
publish, unpublish, move, reorder, deletion, view restriction or site change seen by one process is seen by all at
once: `page_tree_changed` gives the tree a new token when any of them happens, and again when its transaction
commits. Apps whose own records are read with the pages (a programme's requirements, the competency domains)
connect their changes to it too, in their AppConfig.ready().
"""

import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import get_site_for_hostname
from wagtail.url_routing import RouteResult

from lms.compiled import CompiledRead

VERSION_KEY = "lms:page-tree-version"
SITE_LOOKUPS_KEPT = 100
KEPT_FOR = 300
"""Seconds a process keeps one build of the tree at most, even when the token hasn't changed: if a writer's
process died between its commit and the token's second change, no process serves the tree from before it longer."""


@dataclass(frozen=True)
class TreePage:
    """What routing needs of one page: where it sits, its URL path, its type, and whether it is live."""

    id: int
    path: str
    url_path: str
    content_type_id: int
    live: bool
    alias_of_id: int | None


@dataclass
class PageTree:
    """One version of the page tree, and what this process has built from it."""

    version: str
    built: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def remembered(self, key, build):
        """What `build()` returns for this version of the tree, built at most once per process."""
        if key not in self.built:
            self.built[key] = build()
        return self.built[key]

    @property
    def pages_by_path(self) -> dict[str, TreePage]:
        """Every page of the tree by its tree path."""
        return self.remembered("pages_by_path", _pages_by_path)

    @property
    def pages_by_url_path(self) -> dict[str, TreePage]:
        """Every page of the tree by its URL path."""
        return self.remembered("pages_by_url_path", lambda: {p.url_path: p for p in self.pages_by_path.values()})

    @property
    def restrictions_by_page(self) -> dict[int, list[PageViewRestriction]]:
        """The view restrictions set on each page, by page id."""
        return self.remembered("restrictions_by_page", _restrictions_by_page)

    def ancestors(self, page_path: str) -> list[TreePage]:
        """The page's ancestors, the tree's root first (pages missing from this version are left out)."""
        paths = (page_path[:length] for length in range(Page.steplen, len(page_path), Page.steplen))
        return [self.pages_by_path[path] for path in paths if path in self.pages_by_path]

    def branch_is_live(self, page_path: str) -> bool:
        """Whether the page and every ancestor above it are live."""
        page = self.pages_by_path.get(page_path)
        return page is not None and page.live and all(ancestor.live for ancestor in self.ancestors(page_path))

    def view_restrictions(self, page_path: str) -> list[PageViewRestriction]:
        """The view restrictions on the page and its ancestors (an alias's from its source page, as Wagtail reads)."""
        by_id = self.remembered("pages_by_id", lambda: {p.id: p for p in self.pages_by_path.values()})
        page_ids = []
        for page in [*self.ancestors(page_path), self.pages_by_path[page_path]]:
            source = by_id.get(page.alias_of_id) if page.alias_of_id else page
            page_ids.append(source.id if source else page.alias_of_id)
        return [restriction for page_id in page_ids for restriction in self.restrictions_by_page.get(page_id, [])]

    def is_public(self, page_path: str) -> bool:
        """Whether no view restriction applies to the page."""
        return not self.view_restrictions(page_path)

    def site_for(self, hostname: str, port: int) -> Site | None:
        """The site that answers for this hostname and port, as Wagtail chooses it."""

        def find():
            try:
                return get_site_for_hostname(hostname, port)
            except Site.DoesNotExist:
                return None

        sites = self.remembered("sites", dict)
        if (hostname, port) not in sites:
            if len(sites) >= SITE_LOOKUPS_KEPT:  # hosts come from requests: keep a bounded number
                return find()
            sites[(hostname, port)] = find()
        return sites[(hostname, port)]

    @property
    def site_root_paths(self) -> list:
        """Wagtail's site root paths, which page URLs are built from."""
        return self.remembered("site_root_paths", Site.get_site_root_paths)


_current = PageTree(version="")


def page_tree_version() -> str:
    """The tree's current version token (one cache read); a missing token is made anew, so every process rebuilds."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def page_tree(request=None, *, version: str | None = None) -> PageTree:
    """The page tree at its current version, read once per request (and per call without one).

    With a request, Wagtail's per-request site and site root paths come from the tree too, so page URLs built for
    this request cost no query. `version` is the token when the caller has just read it with other keys in one cache
    read (lms/kept_home.py), so it isn't read again.
    """
    global _current
    tree = getattr(request, "_page_tree", None) if request is not None else None
    if tree is None:
        version = version or page_tree_version()
        if _current.version != version or time.monotonic() - _current.started > KEPT_FOR:
            _current = PageTree(version=version)
        tree = _current
        if request is not None:
            request._page_tree = tree
            _site_from_tree(request, tree)
    return tree


def _site_from_tree(request, tree: PageTree) -> None:
    """Fill Wagtail's per-request caches of the site and the site root paths from the tree, as Wagtail would."""
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = tree.site_root_paths
    if not hasattr(request, "_wagtail_site"):
        try:
            hostname = split_domain_port(request._get_raw_host())[0]
            port = request.get_port()
        except KeyError:
            return
        request._wagtail_site = tree.site_for(hostname, port)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def page_tree_changed(**kwargs) -> None:
    """Give the tree a new version now (for the writer's own transaction) and again when that transaction commits.

    The second token is what other processes go by: any of them that rebuilt between the first token and the commit
    read the tree as it was before, and built it under a token that is then already out of date.
    """
    _new_version()
    transaction.on_commit(_new_version)


def page_changed(sender, instance, **kwargs) -> None:
    """A page was saved or deleted (every publish, unpublish, move and reorder saves one): the tree has changed."""
    if isinstance(instance, Page):
        page_tree_changed()


def _pages_by_path() -> dict[str, TreePage]:
    rows = Page.objects.order_by("path").values_list("id", "path", "url_path", "content_type_id", "live", "alias_of_id")
    return {row[1]: TreePage(*row) for row in rows}


def _restrictions_by_page() -> dict[int, list[PageViewRestriction]]:
    by_page: dict[int, list[PageViewRestriction]] = {}
    for restriction in PageViewRestriction.objects.prefetch_related("groups").order_by("id"):
        by_page.setdefault(restriction.page_id, []).append(restriction)
    return by_page


class TreeViewRestrictionsMixin:
    """Page models whose view restrictions, once routed through the tree, come from it instead of two queries."""

    def get_view_restrictions(self):
        """The restrictions the tree found when routing to this page, else Wagtail's query."""
        restrictions = getattr(self, "_view_restrictions_from_tree", None)
        return super().get_view_restrictions() if restrictions is None else restrictions


_page_reads: dict[type, tuple[list[str], CompiledRead]] = {}


def _page_of(model, page_id: int):
    """The page as an instance of its own model, read by a query whose SQL is built once per process."""
    if model not in _page_reads:
        names = [field.attname for field in model._meta.concrete_fields]
        read = CompiledRead(lambda *, page_id: model._default_manager.filter(pk=page_id).values_list(*names))
        _page_reads[model] = (names, read)
    names, read = _page_reads[model]
    rows = read.rows(page_id=page_id)
    return model.from_db(DEFAULT_DB_ALIAS, names, rows[0]) if rows else None


def _route_from_tree(request, path: str) -> None:
    """Fill Wagtail's per-request caches of the site, the site root paths and the route, as its own routing would."""
    tree = page_tree(request)
    site = getattr(request, "_wagtail_site", None)
    if site is None:
        return
    root = tree.pages_by_path.get(site.root_page.path)
    components = [component for component in path.split("/") if component]
    target = tree.pages_by_url_path.get(site.root_page.url_path + "".join(f"{c}/" for c in components))
    if root is None or target is None or not target.path.startswith(root.path):
        return  # Wagtail routes it (and answers 404 for what isn't there)
    walked = [page for page in tree.ancestors(target.path) if len(page.path) >= len(root.path)]
    models = [ContentType.objects.get_for_id(page.content_type_id).model_class() for page in [*walked, target]]
    if any(model is None or model.route is not Page.route for model in models):
        return  # a page on the way routes its own URLs
    page = _page_of(models[-1], target.id)
    if page is None or not page.live:
        return
    page._view_restrictions_from_tree = tree.view_restrictions(target.path)
    request._wagtail_route_for_request = RouteResult(page)


class PageTreeRoutingMiddleware:
    """Route Wagtail's page URLs through the kept tree: the site, the route and the view restrictions in no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Before Wagtail's serve view, find the page from the tree (Wagtail's own routing stays the fallback)."""
        from wagtail.views import serve as wagtail_serve

        if view_func is wagtail_serve and not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            path = view_args[0] if view_args else view_kwargs.get("path", "")
            _route_from_tree(request, path)
        return None
