"""Naming the people in someone's records, and what their history records say happened."""

from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser

HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class People:
    """Names the people in one person's records: them, their supervisors by name, anyone else by role only."""

    user: AbstractBaseUser
    supervisors: dict[int, str] = field(default_factory=dict)

    def who(self, user_id: int | None) -> str:
        """'You', a supervisor's name, 'Programme staff', or 'System' for automatic changes."""
        if user_id is None:
            return "System"
        if user_id == self.user.pk:
            return "You"
        return self.supervisors.get(user_id, "Programme staff")


def change_of(record) -> str:
    """What a history record says happened: its reason, or Created / Changed / Deleted."""
    return record.history_change_reason or HISTORY_TYPES.get(record.history_type, "")
