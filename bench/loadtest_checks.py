"""The load test's checks afterwards: every write the users saw confirmed, counted again in the database.

Used by bench/load.py once Django is set up; the models are imported inside database_checks for that reason.
"""

import re
from collections import Counter
from dataclasses import dataclass

TRAINEE_PREFIX = "load-trainee-"
SUPERVISOR_PREFIX = "load-supervisor-"
MARKER = re.compile(r"Load marker [a-z]{16}")


@dataclass
class Check:
    """One comparison of what the users saw confirmed with what the database holds."""

    name: str
    passed: bool
    detail: str


def database_checks(record: dict) -> list[Check]:
    """Compare each kind of write the users saw confirmed with what the database holds."""
    from practice.models import Attestation, Batch, PracticeEntry
    from verification.models import Lookup

    checks = []
    entries = PracticeEntry.objects.filter(trainee__username__startswith=TRAINEE_PREFIX)
    rows = list(entries.values_list("pk", "reflection", "status", "attestation__supervisor__username"))
    stored = Counter(found.group(0) for _, reflection, _, _ in rows if (found := MARKER.search(reflection)))
    confirmed = Counter(record["entries_ok"])
    lost = set(confirmed) - set(stored)
    duplicated = {marker for marker, count in stored.items() if count > 1}
    unconfirmed = set(stored) - set(confirmed)
    checks.append(
        Check(
            "practice entries",
            not lost and not duplicated and not unconfirmed and len(rows) == sum(confirmed.values()),
            f"{sum(confirmed.values())} confirmed to trainees, {len(rows)} in the database, {len(stored)} distinct "
            f"markers; {len(lost)} lost, {len(duplicated)} duplicated, {len(unconfirmed)} saved after an error "
            f"({len(record['entries_unconfirmed'])} POSTs ended in an error)",
        )
    )

    batches = Batch.objects.filter(trainee__username__startswith=TRAINEE_PREFIX).count()
    history = PracticeEntry.history.filter(trainee__username__startswith=TRAINEE_PREFIX)
    submitted = history.filter(history_change_reason="Submitted for review").count()
    checks.append(
        Check(
            "submissions",
            batches == record["submissions_ok"] and submitted == len(record["submitted_entry_ids"]),
            f"{record['submissions_ok']} confirmed, {batches} batches in the database; "
            f"{len(record['submitted_entry_ids'])} entries sent, {submitted} 'Submitted for review' history rows",
        )
    )

    approvals = record["approvals_ok"]
    attestations = Attestation.objects.filter(supervisor__username__startswith=SUPERVISOR_PREFIX).count()
    approved_by = {pk: decision["supervisor"] for decision in approvals for pk in decision["entries"]}
    approved_rows = {pk: supervisor for pk, _, status, supervisor in rows if status == PracticeEntry.Status.APPROVED}
    checks.append(
        Check(
            "approvals",
            attestations == len(approvals) and approved_rows == approved_by,
            f"{len(approvals)} confirmed, {attestations} attestations in the database; {len(approved_by)} entries "
            f"approved by the users, {len(approved_rows)} approved in the database"
            + ("" if approved_rows == approved_by else " (the sets or the signing supervisors differ)"),
        )
    )

    returned = sum(len(decision["entries"]) for decision in record["returns_ok"])
    returned_rows = history.filter(history_change_reason__startswith="Returned:").count()
    checks.append(
        Check(
            "returns",
            returned == returned_rows,
            f"{len(record['returns_ok'])} confirmed returns of {returned} entries, {returned_rows} 'Returned' "
            "history rows",
        )
    )

    logged = Lookup.objects.filter(channel=Lookup.Channel.API, verifier__username="verifier").count()
    checks.append(
        Check(
            "token lookups logged",
            logged == record["token_lookups_ok"],
            f"{record['token_lookups_ok']} confirmed API lookups with a token, {logged} logged for holders",
        )
    )
    return checks
