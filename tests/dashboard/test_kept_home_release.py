"""A kept home is used only by the release that made it: its fingerprint changes with the site's code, the installed
packages' versions and the static files' hashed names."""

from types import SimpleNamespace
from unittest import mock

from lms import kept_home


def fingerprint(*, packages=None, manifest_hash=None) -> str:
    """The release fingerprint, with the installed packages or the static manifest's hash as given."""
    with (
        mock.patch.object(kept_home.metadata, "distributions", return_value=packages or installed("8.0.1")),
        mock.patch.object(kept_home, "staticfiles_storage", SimpleNamespace(manifest_hash=manifest_hash or "a1")),
    ):
        return kept_home.release_fingerprint()


def installed(wagtail_version: str) -> list:
    """Installed packages as importlib.metadata lists them: Django and Wagtail at the given version."""
    return [
        SimpleNamespace(metadata={"Name": "Django"}, version="5.2.19"),
        SimpleNamespace(metadata={"Name": "wagtail"}, version=wagtail_version),
    ]


def test_the_fingerprint_is_the_same_for_the_same_release():
    assert fingerprint() == fingerprint()
    assert kept_home.release() == kept_home.release()


def test_another_package_version_is_another_release():
    assert fingerprint(packages=installed("8.0.2")) != fingerprint(packages=installed("8.0.1"))


def test_other_static_files_are_another_release():
    assert fingerprint(manifest_hash="b2") != fingerprint(manifest_hash="a1")
