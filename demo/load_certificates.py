"""The load graduates' certificates for demo/load.py, issued on their dates with the evidence the real check records."""

import secrets
from datetime import time

from django.contrib.auth import get_user_model
from django.db.models import Max

from certificates.codes import new_code
from certificates.eligibility import evidence_snapshot, programme_eligibility
from certificates.models import Certificate
from certificates.services import certificate_expiry, certificate_number
from certificates.status_lists import PLACES_PER_LIST
from demo.load_context import Context, _moment


def _issue_certificates(ctx: Context) -> int:
    """Issue the graduates' certificates on their dates, each with the evidence the real check would record."""
    if not ctx.graduates:
        return 0
    users = get_user_model().objects.in_bulk([user_id for user_id, _ in ctx.graduates])
    programme = ctx.programme
    serials = dict(
        Certificate.objects.filter(programme=programme)
        .values("year")
        .annotate(top=Max("serial"))
        .values_list("year", "top")
    )
    used = set(Certificate.objects.exclude(status_index=None).values_list("status_index", flat=True))
    capacity = PLACES_PER_LIST * max(1, -(-(len(used) + len(ctx.graduates) + 1) * 2 // PLACES_PER_LIST))
    table = ctx.table(Certificate)
    for user_id, issued_on in ctx.graduates:
        holder = users[user_id]
        eligibility = programme_eligibility(user=holder, programme=programme, on=issued_on)
        if not eligibility.met:
            unmet = "; ".join(line.summary for line in eligibility.unmet)
            raise RuntimeError(f"Load graduate {holder.username} doesn't meet {programme}: {unmet}")
        serial = serials.get(issued_on.year, 0) + 1
        serials[issued_on.year] = serial
        status_index = secrets.randbelow(capacity)
        while status_index in used:
            status_index = secrets.randbelow(capacity)
        used.add(status_index)
        table.add(
            programme_id=programme.pk,
            holder_id=user_id,
            holder_name=holder.get_full_name(),
            number=certificate_number(programme, year=issued_on.year, serial=serial),
            year=issued_on.year,
            serial=serial,
            code=new_code(),
            issued_on=issued_on,
            period_starts_on=issued_on,
            expires_on=certificate_expiry(programme, issued_on),
            issued_at=ctx.clamp(_moment(issued_on, time(10))),
            origin=Certificate.Origin.FIRST,
            state=Certificate.State.VALID,
            evidence=evidence_snapshot(user=holder, eligibility=eligibility),
            rendering=Certificate.Rendering.PENDING,
            status_index=status_index,
        )
    table.flush()
    return len(ctx.graduates)
