"""Tables the kernel owns: fixed-window rate counters, and the entries of the database cache every server shares."""

from django.db import models


class RateCounter(models.Model):
    """How many actions one client has used in one fixed window; counted with one atomic upsert (lms/ratelimit.py)."""

    key = models.CharField(max_length=250, primary_key=True, help_text="Who, the window's length and its number.")
    used = models.PositiveIntegerField()
    expires_at = models.BigIntegerField(db_index=True, help_text="When the window ends, in seconds since 1970 (UTC).")

    class Meta:
        db_table = "lms_rate_counter"

    def __str__(self):
        return f"{self.key}: {self.used}"


class CacheEntry(models.Model):
    """One entry of Django's database cache (the default cache): the table `createcachetable` would make, as a model.

    As a model, migrations create it everywhere (tests included) and the test runner's flush empties it.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "lms_cache"
        verbose_name_plural = "cache entries"

    def __str__(self):
        return self.cache_key
