"""The production static files storage: hashed URLs from the manifest, each looked up once per process, and a
collectstatic that compresses only what changed since the last one."""

import gzip
import json
import os
from unittest import mock

import brotli
from django.core.management import call_command
from whitenoise.compress import Compressor
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


SCRIPT = "function greet(name) { return 'Hello, ' + name + '. ' + 'Welcome back to your course.'; }\n" * 40
STYLE = "body { color: #222; background: url('paper.png'); }\n.note { padding: 1rem; margin: 0 auto; }\n" * 40


def collect(source, root, settings) -> list[str]:
    """Run collectstatic from `source` into `root` with the production storage; the paths it compressed."""
    settings.STATICFILES_DIRS = [str(source)]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "lms.storage.MemoisedManifestStaticFilesStorage"},
    }
    compressed = []
    original = Compressor.compress

    def counting(self, path):
        compressed.append(os.path.relpath(path, root))
        return original(self, path)

    with mock.patch.object(Compressor, "compress", counting):
        call_command("collectstatic", "--noinput", verbosity=0)
    return compressed


def hashed(root, name: str) -> str:
    """The hashed name the manifest gives `name`."""
    return json.loads((root / "staticfiles.json").read_text())["paths"][name]


def assert_copies_hold(root, name: str, text: str) -> None:
    """The .br and .gz copies of `name` decompress to `text`."""
    assert brotli.decompress((root / f"{name}.br").read_bytes()).decode() == text
    assert gzip.decompress((root / f"{name}.gz").read_bytes()).decode() == text


def test_a_second_collectstatic_keeps_the_compressed_copies_of_unchanged_files(tmp_path, settings):
    source, root = tmp_path / "source", tmp_path / "static"
    source.mkdir()
    (source / "greet.js").write_text(SCRIPT)
    (source / "site.css").write_text(STYLE)
    (source / "paper.png").write_bytes(b"\x89PNG not really")
    first = collect(source, root, settings)
    css = hashed(root, "site.css")
    assert sorted(first) == sorted(["greet.js", hashed(root, "greet.js"), "site.css", css])
    assert_copies_hold(root, "greet.js", SCRIPT)
    assert "paper." in (root / css).read_text()  # the stylesheet's own URLs were rewritten to hashed names

    assert collect(source, root, settings) == []  # the hashed CSS is written again, with the same name and contents
    assert_copies_hold(root, "greet.js", SCRIPT)
    assert_copies_hold(root, css, (root / css).read_text())
    assert not list(root.rglob("*.partial"))


def test_a_changed_file_is_compressed_again(tmp_path, settings):
    source, root = tmp_path / "source", tmp_path / "static"
    source.mkdir()
    (source / "greet.js").write_text(SCRIPT)
    collect(source, root, settings)
    changed = SCRIPT.replace("Welcome back", "Good to see you")
    (source / "greet.js").write_text(changed)
    later = os.stat(root / "greet.js").st_mtime + 5
    os.utime(source / "greet.js", (later, later))  # newer than the collected copy, as an edit made later is

    again = collect(source, root, settings)

    new_name = hashed(root, "greet.js")
    assert sorted(again) == sorted(["greet.js", new_name])
    assert_copies_hold(root, "greet.js", changed)
    assert_copies_hold(root, new_name, changed)


def test_a_compressed_copy_that_doesnt_match_its_files_time_is_made_again(tmp_path, settings):
    source, root = tmp_path / "source", tmp_path / "static"
    source.mkdir()
    (source / "greet.js").write_text(SCRIPT)
    collect(source, root, settings)
    (root / "greet.js.br").write_bytes(b"left half-written by an older release")  # its time is now, not the file's

    assert collect(source, root, settings) == ["greet.js"]
    assert_copies_hold(root, "greet.js", SCRIPT)
