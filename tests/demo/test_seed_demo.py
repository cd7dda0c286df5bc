"""seed_demo on an empty database: it refuses to run with DEBUG off. Its first run and a second one are tested on
test_demo_site.py's one seeded site."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from demo.site import objective_source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """The demo's images (the certificate's signature and logo) go to a temporary MEDIA_ROOT, not var/media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@override_settings(DEBUG=False)
def test_seed_demo_refuses_when_debug_is_off():
    with pytest.raises(CommandError, match="refuses to run when DEBUG is off"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="trainee").exists()


def test_a_plain_text_objective_still_loads_without_a_lesson():
    assert objective_source("  Listen first. ", {}) == ("Listen first.", None)
    assert objective_source({"text": "Listen.", "lesson": "gone"}, {}) == ("Listen.", None)
