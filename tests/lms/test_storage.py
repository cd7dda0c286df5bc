"""The production static files storage: hashed URLs from the manifest, each looked up once per process."""

from unittest import mock

from whitenoise.storage import CompressedManifestStaticFilesStorage

from lms.storage import MemoisedManifestStaticFilesStorage


def test_each_url_is_asked_of_the_manifest_once_and_stays_the_same(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "site.css").write_text("body { color: black; }")
    storage = MemoisedManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    storage.hashed_files = {"site.css": "site.abc123.css"}
    with mock.patch.object(
        CompressedManifestStaticFilesStorage,
        "url",
        autospec=True,
        side_effect=lambda s, n, force=False: f"/static/{s.hashed_files[n]}",
    ) as parent:
        assert storage.url("site.css") == storage.url("site.css") == "/static/site.abc123.css"
        assert parent.call_count == 1
        assert storage.url("site.css", force=True) == "/static/site.abc123.css"
        assert parent.call_count == 2
