"""Writes for site-wide content."""

from django.db import transaction
from wagtail.models import Page, Site

from content.models import HomePage


@transaction.atomic
def home_page_install(*, home: HomePage) -> HomePage:
    """Add `home` under the tree root and make it the default site's root, replacing Wagtail's welcome page.

    The placeholder welcome page (a plain Page with no children) is deleted;
    a site is created if there is none.
    """
    root = Page.get_first_root_node()
    placeholder = root.get_children().filter(slug=home.slug).first()
    if placeholder and (placeholder.specific_class is not Page or placeholder.numchild):
        raise ValueError(f"A page with the slug {home.slug!r} already exists at the top of the tree.")
    if placeholder:
        Page.objects.filter(pk=placeholder.pk).update(slug=f"replaced-{placeholder.pk}")
    root.refresh_from_db()
    root.add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        site.root_page = home
        site.save()
    else:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    if placeholder:
        Page.objects.get(pk=placeholder.pk).delete()
    return home
