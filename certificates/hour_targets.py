"""The active programmes' hour minimums, which the practice log shows as targets (registered in
CertificatesConfig.ready, so practice never imports certificates)."""

from decimal import Decimal

from django.db.models import CharField, Value

from certificates.eligibility import minutes_of
from certificates.models import Programme, ProgrammeActivityHours, ProgrammeDomainHours
from lms.page_tree import page_tree
from practice.targets import HourTargets


def hour_targets(request=None) -> HourTargets:
    """The active programmes' hour minimums in minutes, for the practice log (registered in CertificatesConfig.ready),
    kept with the page tree: a programme's change renews it.

    With several active programmes, the highest minimum of each line counts.
    """
    return page_tree(request).remembered("hour_targets", _hour_targets)


def _hour_targets() -> HourTargets:
    targets: dict[str, dict[str, int]] = {"kind": {}, "activity": {}, "domain": {}}
    for group, key, hours in _active_minimums():
        if hours:
            targets[group][key] = max(targets[group].get(key, 0), minutes_of(hours))
    return HourTargets(
        practice=targets["kind"].get("practice"),
        supervision=targets["kind"].get("supervision"),
        by_activity=targets["activity"],
        by_domain=targets["domain"],
    )


def _active_minimums() -> list[tuple[str, str, Decimal]]:
    """Every hour minimum of the active programmes as (group, key, hours), in one query (a union)."""
    active = Programme.objects.filter(is_active=True).order_by()
    kinds = [
        active.values_list(Value("kind", output_field=CharField()), Value(kind, output_field=CharField()), field)
        for kind, field in (("practice", "practice_hours"), ("supervision", "supervision_hours"))
    ]
    activities = (
        ProgrammeActivityHours.objects.filter(programme__is_active=True)
        .order_by()
        .values_list(Value("activity", output_field=CharField()), "activity_type", "hours")
    )
    domains = (
        ProgrammeDomainHours.objects.filter(programme__is_active=True)
        .order_by()
        .values_list(Value("domain", output_field=CharField()), "domain__slug", "hours")
    )
    return list(kinds[0].union(kinds[1], activities, domains, all=True))
