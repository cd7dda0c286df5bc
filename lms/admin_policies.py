"""Wagtail permission policies shared by the apps' admin registrations."""

from django.contrib.auth import get_user_model
from wagtail.permission_policies import ModelPermissionPolicy

WRITES = frozenset({"add", "change", "delete"})


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The model's view permission as usual, but nobody (superusers included) adds, changes or deletes here.

    For records that change only through services that apply the rules and keep the history: practice
    entries and batches (approved entries are reopened with a reason, never edited), certificates and
    ethics attestations.
    """

    def user_has_permission(self, user, action):
        """Refuse writes."""
        return action not in WRITES and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        """Refuse writes."""
        return super().user_has_any_permission(user, [action for action in actions if action not in WRITES])

    def users_with_any_permission(self, actions):
        """Nobody holds a write."""
        readable = [action for action in actions if action not in WRITES]
        return super().users_with_any_permission(readable) if readable else get_user_model().objects.none()

    def user_has_permission_for_instance(self, user, action, instance):
        """Refuse writes."""
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        """Refuse writes."""
        return self.user_has_any_permission(user, actions)

    def instances_user_has_any_permission_for(self, user, actions):
        """All rows for readers; none for writes."""
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.model._default_manager.all()
