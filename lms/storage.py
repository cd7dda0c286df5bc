"""Static files storage for production: hashed, compressed names, each looked up once per process."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class MemoisedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, remembering each file's URL: the manifest is fixed for the process's life."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._memoised_urls: dict[str, str] = {}

    def url(self, name, force=False):
        """The hashed URL of a static file, from memory after the first time it is asked for."""
        if force:
            return super().url(name, force=True)
        try:
            return self._memoised_urls[name]
        except KeyError:
            found = self._memoised_urls[name] = super().url(name)
            return found
