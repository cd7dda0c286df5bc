"""The shared kernel as a Django app, so it can own the tables every app shares: rate counters and the cache."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def sqlite_write_ahead_log(sender, connection, **kwargs) -> None:
    """Put an SQLite database file in write-ahead-log mode the first time it is opened (a no-op afterwards).

    Only reads the mode on every later connection: setting it takes a lock, and a server process opening its
    connection while others write would wait for it.
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")


class LmsConfig(AppConfig):
    """The kernel's app: its models are infrastructure (counters, cache entries), never business records."""

    name = "lms"
    verbose_name = "Site kernel"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Connect the kernel's signal handlers: SQLite's log mode, the kept page tree's changes, and the kept homes'
        changes of a person's own account (their name and roles)."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.models import PageViewRestriction, Site

        from lms import page_tree
        from lms.kept_home import SIGN_IN_STAMP, home_shows, home_shows_relation, person_themself

        connection_created.connect(sqlite_write_ahead_log, dispatch_uid="lms-sqlite-wal")
        # Publishing, unpublishing, moving and reordering all save the page, so saves and deletions cover them.
        post_save.connect(page_tree.page_changed, dispatch_uid="lms-page-tree-page-saved")
        post_delete.connect(page_tree.page_changed, dispatch_uid="lms-page-tree-page-deleted")
        for model in (PageViewRestriction, Site):
            for signal in (post_save, post_delete):
                signal.connect(
                    page_tree.page_tree_changed, sender=model, dispatch_uid=f"lms-page-tree-{model.__name__}"
                )
        m2m_changed.connect(
            page_tree.page_tree_changed,
            sender=PageViewRestriction.groups.through,
            dispatch_uid="lms-page-tree-restriction-groups",
        )
        home_shows(get_user_model(), people=person_themself, not_shown=SIGN_IN_STAMP)
        home_shows_relation(get_user_model().groups, people=person_themself)
