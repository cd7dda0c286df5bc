"""What each app holds about a person, registered by the app itself for the personal-data export.

Each domain app registers, in its AppConfig.ready(), the sections of data.json it reads (with the models each
reads), the files it adds to the ZIP, the models it holds about people but leaves out (with the reason), and whom
it can name in a person's records. The export in privacy/ reads only this registry, never an app's models.
"""

from collections.abc import Callable, Iterable
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


@dataclass(frozen=True)
class ExportFile:
    """A file for the ZIP: its path there and a reader of its bytes (FileNotFoundError when storage lost it)."""

    name: str
    read: Callable[[], bytes]


@dataclass(frozen=True)
class ExportSection:
    """One part of data.json: its key, the models it reads (by label), its reader and the files it adds."""

    key: str
    models: tuple[str, ...]
    read: Callable[[AbstractBaseUser, People], object]
    files: Callable[[AbstractBaseUser], Iterable[ExportFile]] | None = None


_sections: dict[str, ExportSection] = {}
_not_exported: dict[str, str] = {}
_name_sources: list[Callable[[AbstractBaseUser], dict[int, str]]] = []


def export_section_register(section: ExportSection) -> None:
    """Add a section to the export (registering the same key again replaces it, as a reloaded app would)."""
    _sections[section.key] = section


def not_exported_register(reasons: dict[str, str]) -> None:
    """Record models about people that the export leaves out, by label, each with the reason."""
    _not_exported.update(reasons)


def named_people_register(source: Callable[[AbstractBaseUser], dict[int, str]]) -> None:
    """Add a source of the people an export may name (by user id) rather than call 'Programme staff'."""
    if source not in _name_sources:
        _name_sources.append(source)


def export_sections() -> dict[str, ExportSection]:
    """Every registered section by key."""
    return dict(_sections)


def not_exported() -> dict[str, str]:
    """Every model the apps said they leave out of the export, with the reason."""
    return dict(_not_exported)


def people_of(user: AbstractBaseUser) -> People:
    """The namer of the people in the user's records, from every registered source."""
    named = {}
    for source in _name_sources:
        named.update(source(user))
    return People(user=user, supervisors=named)
