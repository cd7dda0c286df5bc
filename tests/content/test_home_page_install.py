"""Installing the home page replaces only Wagtail's bare placeholder."""

import pytest
from wagtail.models import Page, Site

from content.models import HomePage, StandardPage
from content.services import ContentError, home_page_install

pytestmark = pytest.mark.django_db


def test_replaces_the_placeholder_whatever_the_new_slug():
    placeholder = Site.objects.get(is_default_site=True).root_page
    home = home_page_install(home=HomePage(title="Welcome", slug="welcome"))
    assert Site.objects.get(is_default_site=True).root_page_id == home.id
    assert not Page.objects.filter(pk=placeholder.pk).exists()


def test_refuses_to_replace_a_real_root_page():
    site = Site.objects.get(is_default_site=True)
    site.root_page.add_child(instance=StandardPage(title="About", slug="about"))
    with pytest.raises(ContentError) as error:
        home_page_install(home=HomePage(title="Home", slug="new-home"))
    assert error.value.code == "root_in_use"
    assert not HomePage.objects.exists()
    assert Page.objects.filter(slug="about").exists()
