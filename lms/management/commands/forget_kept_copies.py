"""End every copy the site keeps of the page tree and of each person's home, when the database changed behind it."""

from django.core.management.base import BaseCommand

from lms.page_tree import page_tree_changed


class Command(BaseCommand):
    """Give the page tree a new version: every process's build of it, and every person's kept home, is checked
    against that version, so the next request works each of them out from the database again."""

    help = (
        "End every copy the server processes keep of the pages and of each person's home, so the next request works "
        "them out from the database. scripts/restore.sh runs it: a cache in Redis outlives a restore, and what it "
        "kept would still match. Run it yourself after changing the database by hand."
    )

    def handle(self, *args, **options):
        """Give the page tree a new version (outside a transaction, so every process sees it at once)."""
        page_tree_changed()
        self.stdout.write("Every kept copy of the pages and of each person's home has ended: the next requests work")
        self.stdout.write("them out from the database as it is now.")
