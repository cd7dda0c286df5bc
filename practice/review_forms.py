"""Forms for reviewing a batch: a decision on each entry, and approving several batches at once."""

from dataclasses import dataclass

from django import forms

from practice.changes import SinceReturn
from practice.models import Attestation, PracticeEntry
from practice.review import APPROVE, LATER, RETURN, Decision, ReviewInvalid
from practice.skills import criteria_for

Kind = PracticeEntry.Kind


@dataclass(frozen=True)
class ReviewRow:
    """One entry on the review page: the entry, its name, its changes since a return, and its decision fields."""

    entry: PracticeEntry
    label: str
    since_return: SinceReturn | None
    decision: forms.BoundField | None
    comment: forms.BoundField | None
    rubric: forms.BoundField | None = None


class BatchReviewForm(forms.Form):
    """A decision on each waiting entry of a batch (approve, return with a comment, or later) and the attestation."""

    DECISIONS = [(APPROVE, "Approve"), (RETURN, "Return to the trainee"), (LATER, "Decide later")]

    attested = forms.BooleanField(required=False, label=Attestation.STATEMENT)

    def __init__(self, *args, entries: list[PracticeEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = entries
        for entry in entries:
            self.fields[self.decision_name(entry.pk)] = forms.ChoiceField(
                choices=self.DECISIONS,
                initial=APPROVE,
                required=False,  # no choice posted counts as deciding later
                widget=forms.RadioSelect,
                label=f"Your decision on {entry_label(entry)}",
            )
            self.fields[self.comment_name(entry.pk)] = forms.CharField(
                required=False,
                max_length=2000,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
                label="Comment for the trainee (needed to return it)",
                help_text="Say what to change. Don't name or describe the people they support.",
            )
            if entry.is_skills_check:
                self.fields[self.rubric_name(entry.pk)] = forms.TypedMultipleChoiceField(
                    coerce=int,
                    required=False,
                    choices=list(enumerate(criteria_for(entry.skill))),
                    widget=forms.CheckboxSelectMultiple,
                    label="Shown in the role-play",
                    help_text="Tick every point you saw. To approve, all of them are needed.",
                )

    @staticmethod
    def decision_name(entry_id: int) -> str:
        """The field holding one entry's decision."""
        return f"decision_{entry_id}"

    @staticmethod
    def comment_name(entry_id: int) -> str:
        """The field holding one entry's comment."""
        return f"comment_{entry_id}"

    @staticmethod
    def rubric_name(entry_id: int) -> str:
        """The field holding the rubric points a supervisor saw in a skills check."""
        return f"rubric_{entry_id}"

    def _shown(self, entry: PracticeEntry) -> frozenset[int]:
        return frozenset(self.cleaned_data.get(self.rubric_name(entry.pk)) or ())

    def rows(self, *, entries: list[PracticeEntry], since_return: dict) -> list[ReviewRow]:
        """Every entry of the batch with what changed since its return and, while it waits, its two fields."""
        waiting = {entry.pk for entry in self.entries}
        return [
            ReviewRow(
                entry=entry,
                label=entry_label(entry),
                since_return=since_return.get(entry.pk),
                decision=self[self.decision_name(entry.pk)] if entry.pk in waiting else None,
                comment=self[self.comment_name(entry.pk)] if entry.pk in waiting else None,
                rubric=self[self.rubric_name(entry.pk)]
                if entry.pk in waiting and self.rubric_name(entry.pk) in self.fields
                else None,
            )
            for entry in entries
        ]

    def decisions(self, *, approve_all: bool = False) -> list[Decision]:
        """The cleaned decisions as the service takes them; with `approve_all`, every entry approved."""
        if approve_all:
            return [Decision(entry.pk, APPROVE, shown=self._shown(entry)) for entry in self.entries]
        return [
            Decision(
                entry.pk,
                self.cleaned_data[self.decision_name(entry.pk)] or LATER,
                self.cleaned_data[self.comment_name(entry.pk)],
                shown=self._shown(entry),
            )
            for entry in self.entries
        ]

    def add_service_errors(self, error: ReviewInvalid) -> None:
        """Show each problem beside the entry's comment or rubric, or on the attestation."""
        for problem in error.problems:
            if problem.entry_id is None:
                field = "attested"
            elif problem.code in ("rubric_incomplete", "rubric_unknown"):
                field = self.rubric_name(problem.entry_id)
            else:
                field = self.comment_name(problem.entry_id)
            self.add_error(field, problem.message)

    def error_links(self) -> list[tuple[str, str]]:
        """Each error with the id of the field it belongs to and the entry it is about, for the summary."""
        about = {self.comment_name(entry.pk): entry_label(entry) for entry in self.entries}
        about |= {self.decision_name(entry.pk): entry_label(entry) for entry in self.entries}
        about |= {self.rubric_name(entry.pk): entry_label(entry) for entry in self.entries}
        return [
            (self._first_input_id(name), f"{about[name]}: {message}" if name in about else message)
            for name, messages in self.errors.items()
            for message in messages
        ]

    def _first_input_id(self, name: str) -> str:
        if name not in self.fields:
            return ""
        radios = isinstance(self.fields[name].widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
        return f"{self[name].auto_id}_0" if radios else self[name].auto_id


def entry_label(entry: PracticeEntry) -> str:
    """How the review page names an entry: 'Tue 3 Mar 2026, 2 h, Outreach'."""
    what = (
        f"Supervision session ({entry.get_session_format_display().lower()})"
        if entry.kind == Kind.SUPERVISION
        else f"Skills check: {entry.skill_label}"
        if entry.is_skills_check
        else entry.get_activity_type_display()
    )
    return f"{entry.performed_on:%a %-d %b %Y}, {entry.minutes / 60:g} h, {what}"


class BulkApproveForm(forms.Form):
    """Approve several whole batches from the queue at once."""

    batches = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": "Choose at least one batch."})
    attested = forms.BooleanField(
        label=Attestation.STATEMENT,
        error_messages={"required": "Tick this box to confirm you supervised these hours."},
    )

    def __init__(self, *args, batch_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batches"].choices = [(pk, pk) for pk in batch_ids]
