"""Hour targets on the practice log: the minimums a programme sets, given by the app that owns programmes.

Practice sits below certificates, so it never asks for them by import: certificates registers where they come from
(CertificatesConfig.ready), and until something does there are no targets.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HourTargets:
    """Minimums in minutes: practice and supervision, and per activity type and per competency domain slug."""

    practice: int | None = None
    supervision: int | None = None
    by_activity: dict[str, int] = field(default_factory=dict)
    by_domain: dict[str, int] = field(default_factory=dict)


_source: Callable[..., HourTargets] | None = None


def hour_targets_source_register(source: Callable[..., HourTargets]) -> None:
    """Say where the practice log's hour targets come from (called once, by the app that sets them)."""
    global _source
    _source = source


def current_hour_targets(request=None) -> HourTargets:
    """The hour targets to show now, from the registered source (given the request, if any, which it may read the
    page tree's version from); none when nothing is registered."""
    return _source(request) if _source is not None else HourTargets()
