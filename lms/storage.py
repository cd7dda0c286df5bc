"""Static files storage for production: hashed, compressed names, each looked up once per process; a collectstatic
compresses only what changed since the last one."""

import os

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class KeptCompressor(Compressor):
    """WhiteNoise's compressor, keeping the .br and .gz copies an earlier collectstatic made of the same contents.

    scripts/serve.sh collects static files on every start; compressing them all again took 45 s of CPU. A copy is
    kept when its file's name carries the hash of its contents (collectstatic's hashed names: same name, same
    contents), or when it has the file's modified time (WhiteNoise gives it that, and collectstatic copies a changed
    file again, with a new time). Copies are written whole or not at all, so one a killed run left is never kept.
    """

    def __init__(self, *args, hashed_names: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.hashed_names = hashed_names

    def compress(self, path):
        """The compressed copies of the file at `path`: those already there, or made now."""
        return self._kept(path) or super().compress(path)

    def _kept(self, path) -> list[str]:
        """The file's compressed copies when they were made from its present contents; empty otherwise."""
        hashed = path in self.hashed_names
        modified = os.stat(path).st_mtime
        kept = []
        for suffix in [".br", ".gz"] if self.use_brotli else [".gz"]:
            try:
                copy = os.stat(path + suffix)
            except FileNotFoundError:
                continue
            if not hashed and abs(copy.st_mtime - modified) > 0.001:
                return []
            kept.append(path + suffix)
        return kept

    def write_data(self, path, data, suffix, stat_result):
        """Write the compressed copy under a temporary name, then move it into place."""
        partial = super().write_data(path, data, suffix + ".partial", stat_result)
        os.replace(partial, path + suffix)
        return path + suffix


class MemoisedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, remembering each file's URL: the manifest is fixed for the process's life."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._memoised_urls: dict[str, str] = {}

    def create_compressor(self, **kwargs):
        """A compressor that keeps what an earlier collectstatic compressed from the same contents."""
        hashed_names = frozenset(self.path(name) for name in self.hashed_files.values())
        return KeptCompressor(hashed_names=hashed_names, **kwargs)

    def url(self, name, force=False):
        """The hashed URL of a static file, from memory after the first time it is asked for."""
        if force:
            return super().url(name, force=True)
        try:
            return self._memoised_urls[name]
        except KeyError:
            found = self._memoised_urls[name] = super().url(name)
            return found
