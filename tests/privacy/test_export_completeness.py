"""The export stays complete: every model that points at a user is exported, or listed with the reason it isn't."""

from django.apps import apps
from django.contrib.auth import get_user_model

from privacy.export import exported_models, not_exported_models


def models_pointing_at_users() -> set[str]:
    """Labels of every model, history and many-to-many tables included, with its own foreign key or one-to-one
    to the user model. Fields a page type inherits from Wagtail's Page are counted once, on wagtailcore.Page."""
    user_model = get_user_model()
    found = set()
    for model in apps.get_models(include_auto_created=True):
        if any(
            field.is_relation and field.related_model is user_model and not getattr(field, "parent_link", False)
            for field in model._meta.local_fields
        ):
            found.add(model._meta.label)
    return found


def unaccounted(exported: set[str]) -> list[str]:
    """Models pointing at users that are neither exported nor left out with a reason."""
    return sorted(models_pointing_at_users() - exported - set(not_exported_models()))


def test_every_model_pointing_at_a_user_is_exported_or_explained():
    missing = unaccounted(exported_models())
    assert missing == [], (
        f"Register these in a section of their app's personal_data.py, or leave them out there with the reason "
        f"(not_exported_register): {missing}"
    )


def test_the_walk_reaches_history_models_and_many_to_many_tables():
    found = models_pointing_at_users()
    assert {"practice.HistoricalPracticeEntry", "certificates.HistoricalCertificate", "auth.User_groups"} <= found
    assert "content.StandardPage" not in found  # its owner field is Page's, counted once there
    assert "wagtailcore.Page" in found


def test_the_walker_notices_a_model_left_out():
    assert unaccounted(exported_models() - {"practice.PracticeEntry"}) == ["practice.PracticeEntry"]


def test_nothing_is_both_exported_and_not_exported():
    assert exported_models() & set(not_exported_models()) == set()


def test_every_listed_model_exists_and_every_reason_is_given():
    for label in exported_models() | set(not_exported_models()):
        assert apps.get_model(label), label
    assert all(reason.strip().endswith(".") for reason in not_exported_models().values())


def test_not_exported_lists_only_models_that_point_at_users():
    assert set(not_exported_models()) <= models_pointing_at_users()
