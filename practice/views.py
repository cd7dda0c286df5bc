"""Views for the practice log (trainees) and the review queue (supervisors)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lms.access import role_required
from lms.roles import SUPERVISOR, TRAINEE
from practice import exports
from practice.changes import changes_since_return
from practice.chart import hours_chart
from practice.forms import (
    FORM_FOR_KIND,
    EntryFilterForm,
    SubmitForm,
    SupervisorProfileForm,
    SupervisorRequestForm,
)
from practice.group_selectors import group_entries_to_confirm
from practice.invitations import invitations_for
from practice.models import Batch, PracticeEntry, SupervisorAssignment, SupervisorProfile, SupervisorRequest
from practice.review import ReviewInvalid, ReviewOutcome, batch_review
from practice.review_forms import BatchReviewForm, BulkApproveForm
from practice.selectors import (
    EntryFilters,
    active_assignments,
    batch_for_supervisor,
    entries_for_list,
    entry_history,
    open_batches,
    practice_log_summary,
    ready_to_submit,
    review_queue,
    review_waiting_count,
    supervised_trainee,
    supervisee_totals,
    trainee_entries,
)
from practice.services import (
    NOT_EDITABLE,
    EntryInvalid,
    PracticeError,
    batch_withdraw,
    entries_approve,
    entries_submit,
    entry_create,
    entry_delete,
    entry_update,
)
from practice.supervision import HAS_SUPERVISOR, supervisor_profile_save, supervisor_request_create
from practice.targets import current_hour_targets
from practice.totals import competency_domains, hours_totals

PAGE_SIZE = 25
BATCHES_SHOWN = 10
Kind = PracticeEntry.Kind


def _own_entry(request, entry_id: int) -> PracticeEntry:
    entry = entries_for_list(PracticeEntry.objects.filter(pk=entry_id, trainee=request.user)).first()
    if entry is None:
        raise Http404
    return entry


def _page(request, queryset, size: int = PAGE_SIZE, *, count: int | None = None):
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # known already, so the paginator doesn't count again
    return paginator.get_page(request.GET.get("page"))


@role_required(TRAINEE)
def practice_log(request):
    """The trainee's entries with filters and pages, their totals and chart, and batches waiting for review."""
    domains = competency_domains(request)
    filter_form = EntryFilterForm(request.GET or None, domains=domains)
    filters = EntryFilters(**filter_form.cleaned_data) if filter_form.is_valid() else EntryFilters()
    summary = practice_log_summary(
        trainee=request.user, filters=filters, targets=current_hour_targets(request), domains=domains
    )
    page = _page(request, trainee_entries(trainee=request.user, filters=filters), count=summary.filtered_count)
    totals = summary.totals
    query = request.GET.copy()
    query.pop("page", None)
    # An entry keeps its placement (PROTECT), so someone with entries has one; only those without are asked.
    has_assignment = bool(summary.entry_count) or SupervisorAssignment.objects.filter(trainee=request.user).exists()
    return render(
        request,
        "practice/practice_log.html",
        {
            "filter_form": filter_form,
            "filtered": any(filter_form.cleaned_data.values()) if filter_form.is_valid() else False,
            "page": page,
            "query": query.urlencode(),
            "totals": totals,
            "chart": hours_chart(totals),
            "batches": open_batches(trainee=request.user)[:BATCHES_SHOWN],
            "to_confirm": list(group_entries_to_confirm(trainee=request.user)[:BATCHES_SHOWN])
            if summary.to_confirm_count
            else [],
            "to_confirm_shown": BATCHES_SHOWN,
            "ready_count": summary.ready_count,
            "has_assignment": has_assignment,
            "invitations": list(invitations_for(request.user)),
            **({} if has_assignment else _supervisor_request_context(request)),
        },
    )


def _supervisor_request_context(request, form: SupervisorRequestForm | None = None) -> dict:
    open_request = SupervisorRequest.objects.filter(trainee=request.user, status=SupervisorRequest.Status.OPEN).first()
    return {"open_request": open_request, "request_form": form or SupervisorRequestForm()}


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def supervisor_request_new(request):
    """A trainee without a supervisor asks a programme admin for one; one who has a supervisor is told so."""
    if active_assignments(trainee=request.user, on=timezone.localdate()).exists():
        messages.info(request, HAS_SUPERVISOR)
        return redirect("practice_log")
    form = SupervisorRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            supervisor_request_create(trainee=request.user, **form.cleaned_data)
        except PracticeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, "Thank you: your request is with a programme admin. We'll email you when it's set up."
            )
        return redirect("practice_log")
    return render(request, "practice/supervisor_request.html", _supervisor_request_context(request, form))


ADD_ANOTHER = "another"


def _entry_form_page(request, *, kind: str, entry: PracticeEntry | None = None, copy_of: PracticeEntry | None = None):
    form_class = FORM_FOR_KIND[kind]
    if entry:
        initial = form_class.initial_from(entry)
    elif copy_of:
        initial = form_class.initial_for_copy(copy_of)
    else:
        initial = {"performed_on": timezone.localdate()}
    form = form_class(request.POST if request.method == "POST" else None, trainee=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if entry:
                saved = entry_update(trainee=request.user, entry_id=entry.pk, data=form.entry_data())
            else:
                saved = entry_create(trainee=request.user, data=form.entry_data())
        except EntryInvalid as error:
            form.add_service_errors(error)
        except PracticeError as error:
            messages.error(request, error.message)
            return redirect("practice_entry", entry.pk) if entry else redirect("practice_log")
        else:
            if not entry and request.POST.get("next") == ADD_ANOTHER:
                messages.success(request, f"Saved: {saved}, as a draft. Here's a fresh form for the next one.")
                return redirect("practice_entry_new" if kind == Kind.PRACTICE else "practice_supervision_new")
            messages.success(request, f"Saved: {saved}. It stays a draft until you submit it for review.")
            return redirect("practice_log")
    if not form.fields["assignment"].queryset.exists():
        return render(request, "practice/no_assignment.html", status=200)
    return render(
        request,
        "practice/entry_form.html",
        {"form": form, "entry": entry, "copy_of": copy_of, "kind": kind, "add_another": ADD_ANOTHER},
    )


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def entry_new(request):
    """Log a block of practice as a draft."""
    return _entry_form_page(request, kind=Kind.PRACTICE)


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def supervision_new(request):
    """Log a supervision session as a draft."""
    return _entry_form_page(request, kind=Kind.SUPERVISION)


@role_required(TRAINEE)
def entry_detail(request, entry_id: int):
    """One of the trainee's entries with its review status, comment, attestation and history."""
    entry = _own_entry(request, entry_id)
    return render(request, "practice/entry_detail.html", {"entry": entry, "history": entry_history(entry=entry)})


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def entry_edit(request, entry_id: int):
    """Change a draft or returned entry; approved and submitted ones are refused with the reason."""
    entry = _own_entry(request, entry_id)
    if not entry.is_editable:
        messages.error(request, NOT_EDITABLE[entry.status])
        return redirect("practice_entry", entry.pk)
    return _entry_form_page(request, kind=entry.kind, entry=entry)


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def entry_duplicate(request, entry_id: int):
    """A new entry filled in like one of the trainee's entries, all but the date (today)."""
    copy_of = _own_entry(request, entry_id)
    return _entry_form_page(request, kind=copy_of.kind, copy_of=copy_of)


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def entry_remove(request, entry_id: int):
    """Ask, then delete a draft or returned entry."""
    entry = _own_entry(request, entry_id)
    if request.method == "POST":
        try:
            entry_delete(trainee=request.user, entry_id=entry.pk)
        except PracticeError as error:
            messages.error(request, error.message)
            return redirect("practice_entry", entry.pk)
        messages.success(request, f"Deleted: {entry}.")
        return redirect("practice_log")
    if not entry.is_editable:
        messages.error(request, "Only draft and returned entries can be deleted.")
        return redirect("practice_entry", entry.pk)
    return render(request, "practice/entry_confirm_delete.html", {"entry": entry})


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def submit(request):
    """Choose draft and returned entries and send them to their supervisors for review."""
    ready = list(ready_to_submit(trainee=request.user))
    form = SubmitForm(request.POST if request.method == "POST" else None, ready_ids=[entry.pk for entry in ready])
    if request.method == "POST" and form.is_valid():
        try:
            batches = entries_submit(trainee=request.user, entry_ids=form.cleaned_data["entries"])
        except PracticeError as error:
            messages.error(request, error.message)
        else:
            count = len(form.cleaned_data["entries"])
            messages.success(
                request,
                f"Sent {count} entr{'y' if count == 1 else 'ies'} for review in {len(batches)} batch"
                f"{'' if len(batches) == 1 else 'es'}. Your supervisor has been emailed.",
            )
            return redirect("practice_log")
    chosen = set(form.data.getlist("entries")) if form.is_bound else None
    return render(request, "practice/submit.html", {"form": form, "ready": ready, "chosen": chosen})


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def batch_withdraw_view(request, batch_id: int):
    """Ask, then take back a batch the supervisor has not reviewed yet."""
    batch = Batch.objects.filter(pk=batch_id, trainee=request.user).select_related("assignment__supervisor").first()
    if batch is None:
        raise Http404
    if request.method == "POST":
        try:
            batch_withdraw(trainee=request.user, batch_id=batch.pk)
        except PracticeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Batch withdrawn. Its entries are drafts again, ready to edit.")
        return redirect("practice_log")
    entries = entries_for_list(batch.entries.all()).order_by("performed_on", "pk")
    return render(request, "practice/batch_confirm_withdraw.html", {"batch": batch, "entries": entries})


@role_required(TRAINEE)
def hours_csv(request):
    """The trainee's approved hours as CSV."""
    return exports.csv_response(trainee=request.user)


@role_required(TRAINEE)
def hours_pdf(request):
    """The trainee's printable hours summary with their supervisors' attestations."""
    return exports.pdf_response(trainee=request.user)


# Supervisors


def _supervised_trainee(request, trainee_id: int):
    found = supervised_trainee(supervisor=request.user, trainee_id=trainee_id, on=timezone.localdate())
    if found is None:
        raise Http404
    return found


@role_required(SUPERVISOR)
@require_http_methods(["GET", "POST"])
def review_queue_view(request):
    """Batches waiting for this supervisor, oldest first, with bulk approval and per-trainee totals."""
    waiting = review_waiting_count(supervisor=request.user)
    page = _page(request, review_queue(supervisor=request.user), size=20, count=waiting)
    form = BulkApproveForm(request.POST if request.method == "POST" else None, batch_ids=[batch.pk for batch in page])
    if request.method == "POST" and form.is_valid():
        approved, problems = 0, []
        for batch_id in form.cleaned_data["batches"]:
            try:
                entries_approve(supervisor=request.user, batch_id=batch_id, attested=True)
                approved += 1
            except PracticeError as error:
                problems.append(error.message)
        if approved:
            messages.success(request, f"Approved {approved} batch{'' if approved == 1 else 'es'}. Thank you.")
        for problem in dict.fromkeys(problems):
            messages.error(request, problem)
        return redirect("practice_review")
    return render(
        request,
        "practice/review_queue.html",
        {
            "page": page,
            "form": form,
            "supervisees": supervisee_totals(supervisor=request.user, on=timezone.localdate()),
            "has_profile": SupervisorProfile.objects.filter(user=request.user).exists(),
            "review_waiting": waiting,  # the navigation's count: the same batches, counted once
        },
    )


def _entries_word(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def _review_message(outcome: ReviewOutcome) -> str:
    done = []
    if outcome.approved:
        done.append(f"approved {_entries_word(len(outcome.approved))}")
    if outcome.returned:
        done.append(f"returned {_entries_word(len(outcome.returned))} with your comments")
    message = " and ".join(done).capitalize() + ". The trainee has been emailed."
    if outcome.still_waiting:
        message += f" {_entries_word(outcome.still_waiting).capitalize()} still wait for your decision."
    return message


@role_required(SUPERVISOR)
@require_http_methods(["GET", "POST"])
def review_batch(request, batch_id: int):
    """One batch: each entry in full with what changed since a return, and a decision on each, saved together."""
    batch = batch_for_supervisor(supervisor=request.user, batch_id=batch_id)
    if batch is None:
        raise Http404
    entries = list(entries_for_list(batch.entries.all()).order_by("performed_on", "start_time", "pk"))
    waiting = [entry for entry in entries if entry.status == PracticeEntry.Status.SUBMITTED]
    form = BatchReviewForm(request.POST if request.method == "POST" else None, entries=waiting)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = batch_review(
                supervisor=request.user,
                batch_id=batch.pk,
                decisions=form.decisions(approve_all="approve_all" in request.POST),
                attested=form.cleaned_data["attested"],
            )
        except ReviewInvalid as error:
            form.add_service_errors(error)
        except PracticeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _review_message(outcome))
            return redirect("practice_review_batch", batch.pk) if outcome.still_waiting else redirect("practice_review")
    return render(
        request,
        "practice/review_batch.html",
        {
            "batch": batch,
            "rows": form.rows(entries=entries, since_return=changes_since_return(entries=waiting)),
            "form": form,
            "waiting": waiting,
            "has_profile": SupervisorProfile.objects.filter(user=request.user).exists(),
        },
    )


@role_required(SUPERVISOR)
def trainee_progress(request, trainee_id: int):
    """A supervised trainee's approved and waiting hours against the programme's targets; 404 for anyone else's."""
    trainee, _ = _supervised_trainee(request, trainee_id)
    totals = hours_totals(trainee=trainee, targets=current_hour_targets(request))
    return render(
        request,
        "practice/trainee_progress.html",
        {"trainee": trainee, "totals": totals, "chart": hours_chart(totals)},
    )


@role_required(SUPERVISOR)
def trainee_hours_csv(request, trainee_id: int):
    """A supervised trainee's approved hours under this supervisor, as CSV."""
    trainee, assignments = _supervised_trainee(request, trainee_id)
    return exports.csv_response(trainee=trainee, assignments=assignments)


@role_required(SUPERVISOR)
def trainee_hours_pdf(request, trainee_id: int):
    """A supervised trainee's hours summary under this supervisor, as PDF."""
    trainee, assignments = _supervised_trainee(request, trainee_id)
    return exports.pdf_response(trainee=trainee, assignments=assignments)


@role_required(SUPERVISOR)
@require_http_methods(["GET", "POST"])
def supervisor_profile(request):
    """The supervisor records their qualification, credential number and jurisdiction."""
    profile = SupervisorProfile.objects.filter(user=request.user).first()
    initial = (
        {
            "qualification": profile.qualification,
            "credential_number": profile.credential_number,
            "jurisdiction": profile.jurisdiction,
        }
        if profile
        else {}
    )
    form = SupervisorProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        supervisor_profile_save(supervisor=request.user, **form.cleaned_data)
        messages.success(request, "Your qualification is saved. It appears beside every attestation you sign.")
        return redirect("practice_review")
    return render(request, "practice/supervisor_profile.html", {"form": form, "today": timezone.localdate()})
