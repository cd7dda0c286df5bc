"""Writes for site-wide content."""

from django.db import transaction
from wagtail.models import Page, Site

from content.models import HomePage
from lms.errors import ServiceError


class ContentError(ServiceError):
    """A content rule stopped the action. Codes: 'root_in_use'."""


@transaction.atomic
def home_page_install(*, home: HomePage) -> HomePage:
    """Add `home` under the tree root and make it the default site's root, replacing Wagtail's welcome page.

    The default site's current root is deleted only when it is Wagtail's bare
    placeholder (a plain Page with no children that no other site uses);
    otherwise ContentError('root_in_use') is raised and nothing changes. A
    default site is created if there is none.
    """
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    placeholder = site.root_page if site else None
    if placeholder is not None:
        bare = placeholder.specific_class is Page and placeholder.numchild == 0
        shared = Site.objects.filter(root_page=placeholder).exclude(pk=site.pk).exists()
        if not bare or shared:
            raise ContentError("root_in_use", f"The site already has a root page: {placeholder.title!r}.")
        Page.objects.filter(pk=placeholder.pk).update(slug=f"replaced-{placeholder.pk}")
    root = Page.get_first_root_node()
    root.add_child(instance=home)
    if site:
        site.root_page = home
        site.save()
        Page.objects.get(pk=placeholder.pk).delete()
    else:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home
