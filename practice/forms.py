"""Forms for logging practice and supervision, reviewing batches, and the supervisor profile."""

from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from content.models import CompetencyDomain
from lms.ids import BoundedModelMultipleChoiceField
from lms.names import display_name
from practice.models import Organisation, PracticeEntry, SupervisorAssignment
from practice.privacy_screen import privacy_problem
from practice.rules import PRIVACY_RULE, duration_problem
from practice.selectors import assignments_for_trainee, privacy_known_words
from practice.services import EntryData, EntryInvalid
from practice.skills import SKILL_CHOICES

Kind = PracticeEntry.Kind
FIELD_FOR_SERVICE = {"minutes": "duration_hours"}
EARLIEST_DATE = date(1950, 1, 1)


class AssignmentChoiceField(forms.ModelChoiceField):
    """Placements shown with their supervisor and period."""

    def label_from_instance(self, obj: SupervisorAssignment) -> str:
        """E.g. 'Harbour Peer Centre, supervised by Sam Lee (1 Mar 2026 – ongoing)'."""
        return f"{obj.organisation}, supervised by {display_name(obj.supervisor)} ({obj.period})"


class EntryForm(forms.Form):
    """The fields both kinds of entry share."""

    kind = Kind.PRACTICE

    assignment = AssignmentChoiceField(
        queryset=SupervisorAssignment.objects.none(), label="Placement and supervisor", empty_label=None
    )
    performed_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # the only format type=date takes
    )
    start_time = forms.TimeField(
        required=False,
        label="Start time (optional)",
        help_text="Add one if you can: it lets us spot entries that overlap.",
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        required=False,
        label="End time (or give a duration below)",
        help_text="With a start and an end time, we work out the duration for you.",
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
    )
    duration_hours = forms.DecimalField(
        required=False,
        label="Duration in hours (or give the times above)",
        help_text="In quarter hours: 0.25 is 15 minutes, 1.5 is an hour and a half.",
        min_value=Decimal("0"),
        max_value=Decimal("99"),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "inputmode": "decimal"}),
    )
    long_day_confirmed = forms.BooleanField(
        required=False, label="I've checked: this long entry or day is right", help_text="Only needed above 12 hours."
    )
    delivery = forms.ChoiceField(choices=PracticeEntry.Delivery.choices, widget=forms.RadioSelect)
    privacy_confirmed = forms.BooleanField(
        required=False, label="I've checked: the names flagged above are not people I support"
    )
    privacy_reason = forms.CharField(
        required=False,
        max_length=200,
        label="In one line, who or what they are",
        help_text="For example: my co-facilitator; the name of a support group. Your supervisor sees this.",
    )
    text_field = "reflection"

    def __init__(self, *args, trainee, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainee = trainee
        self.fields["assignment"].queryset = assignments_for_trainee(trainee=trainee)
        self.fields["performed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.may_confirm_names = False

    def clean_performed_on(self):
        """Refuse dates no practice log could hold, before any arithmetic on them."""
        day = self.cleaned_data["performed_on"]
        if day < EARLIEST_DATE:
            raise forms.ValidationError("Check the year: that date is too far in the past.")
        return day

    def clean_duration_hours(self):
        """Whole minutes only, so nothing is rounded away; the service checks quarter hours and limits."""
        hours = self.cleaned_data["duration_hours"]
        if hours is not None and (hours * 60) % 1:
            raise forms.ValidationError("Record time in quarter hours (15, 30 or 45 minutes past the hour).")
        return hours

    def clean(self):
        """Work out the duration from the times if given, check its limits, and screen the free text."""
        data = super().clean()
        self._clean_times(data)
        self._clean_privacy(data)
        hours = data.get("duration_hours")
        if hours is not None and "duration_hours" not in self.errors:
            problem = duration_problem(int(hours * 60), confirmed=data.get("long_day_confirmed", False))
            if problem:
                self.add_error(
                    "long_day_confirmed" if problem.code == "needs_confirmation" else "duration_hours", problem.message
                )
        return data

    def _clean_times(self, data: dict) -> None:
        """A duration, or a start and an end time; both only when they agree."""
        start, end, hours = data.get("start_time"), data.get("end_time"), data.get("duration_hours")
        if any(name in self.errors for name in ("start_time", "end_time", "duration_hours")):
            return
        if end is not None:
            if start is None:
                self.add_error("start_time", "Add the start time too, or leave the end time empty and give a duration.")
                return
            minutes = (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 60
            if minutes <= 0:
                self.add_error(
                    "end_time", "The end time must be after the start time. For work past midnight, give a duration."
                )
                return
            from_times = Decimal(int(minutes)) / 60
            if hours is not None and hours != from_times:
                self.add_error(
                    "duration_hours",
                    f"From {start:%H:%M} to {end:%H:%M} is {from_times:g} hours, not {hours:g}. "
                    "Change one, or leave the duration empty.",
                )
                return
            data["duration_hours"] = from_times
        elif hours is None:
            self.add_error("duration_hours", "Give the duration in hours, or a start and an end time.")

    def _clean_privacy(self, data: dict) -> None:
        """Screen the free text now, so the trainee hears about it with any other problem."""
        text = data.get(self.text_field)
        if not text:
            return
        reason = (data.get("privacy_reason") or "").strip() if data.get("privacy_confirmed") else ""
        problem = privacy_problem(text, known=self.privacy_known(data), confirmed_reason=reason)
        if problem is None:
            return
        self.may_confirm_names = problem.code in ("privacy_names", "privacy_reason")
        if problem.code == "privacy_reason":
            self.add_error("privacy_reason", problem.message)
        elif self.may_confirm_names and data.get("privacy_confirmed"):
            self.add_error("privacy_reason", "Say in one line who or what they are, so your supervisor knows.")
        else:
            self.add_error(self.text_field, problem.message)

    def privacy_known(self, data: dict) -> frozenset[str]:
        """Words of names the privacy screen lets this person write (see privacy_known_words)."""
        return privacy_known_words(trainee=self.trainee)

    def entry_data(self) -> EntryData:
        """The cleaned values as the service takes them."""
        data = self.cleaned_data
        return EntryData(
            kind=self.kind,
            assignment=data["assignment"],
            performed_on=data["performed_on"],
            start_time=data.get("start_time"),
            minutes=int(data["duration_hours"] * 60),
            long_day_confirmed=data.get("long_day_confirmed", False),
            delivery=data["delivery"],
            privacy_reason=(data.get("privacy_reason") or "").strip() if data.get("privacy_confirmed") else "",
            **self.kind_data(),
        )

    def kind_data(self) -> dict:
        """The fields only this kind of entry has."""
        return {}

    def add_service_errors(self, error: EntryInvalid) -> None:
        """Show each broken rule on the field it belongs to."""
        for field_name, problem in error.problems:
            name = FIELD_FOR_SERVICE.get(field_name, field_name)
            self.add_error(name if name in self.fields else None, problem.message)
            if problem.code == "privacy_names":
                self.may_confirm_names = True
            if problem.code == "overlap" and problem.entry_id:
                link = format_html(
                    '<a href="{}">Open the entry it overlaps</a> (it opens on its own page; this form keeps what '
                    "you typed only until you leave it).",
                    reverse("practice_entry", args=[problem.entry_id]),
                )
                self.add_error(None, link)

    @classmethod
    def initial_from(cls, entry: PracticeEntry) -> dict:
        """The form's starting values for editing an entry."""
        return {
            "assignment": entry.assignment_id,
            "performed_on": entry.performed_on,
            "start_time": entry.start_time,
            "duration_hours": Decimal(entry.minutes) / 60,
            "delivery": entry.delivery,
        }

    @classmethod
    def initial_for_copy(cls, entry: PracticeEntry) -> dict:
        """Starting values for a new entry like this one: everything but the date, which is today."""
        return {**cls.initial_from(entry), "performed_on": timezone.localdate()}


class PracticeEntryForm(EntryForm):
    """Log a block of practice."""

    kind = Kind.PRACTICE

    activity_type = forms.ChoiceField(
        choices=PracticeEntry.ActivityType.choices,
        help_text="A skills check is a role-play of one skill that your supervisor watches and signs off.",
    )
    contact = forms.ChoiceField(
        required=False,
        label="Direct or indirect",
        choices=PracticeEntry.Contact.choices,
        widget=forms.RadioSelect,
        help_text="Direct means time with the people you support; indirect is everything around it. "
        "Not needed for a skills check, which counts as indirect.",
    )
    skill = forms.ChoiceField(
        required=False,
        label="Skill practised (skills checks only)",
        choices=SKILL_CHOICES,
        widget=forms.RadioSelect,
        help_text="The one skill the role-play showed. Your supervisor ticks what they saw when they sign it off.",
    )
    domains = BoundedModelMultipleChoiceField(
        label="Competency domains",
        queryset=CompetencyDomain.objects.order_by("sort_order", "name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every domain this work drew on.",
    )
    setting = forms.ChoiceField(choices=PracticeEntry.Setting.choices)
    reflection = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
        max_length=5000,
        help_text=PRIVACY_RULE,
    )
    field_order = [
        "assignment",
        "performed_on",
        "start_time",
        "end_time",
        "duration_hours",
        "long_day_confirmed",
        "activity_type",
        "skill",
        "contact",
        "domains",
        "setting",
        "delivery",
        "reflection",
        "privacy_confirmed",
        "privacy_reason",
    ]

    def clean(self):
        """A skills check needs its skill and takes no contact; any other activity needs direct or indirect."""
        data = super().clean()
        if data.get("activity_type") == PracticeEntry.ActivityType.SKILLS_CHECK:
            data["contact"] = PracticeEntry.Contact.INDIRECT
            if not data.get("skill") and "skill" not in self.errors:
                self.add_error("skill", "Choose the skill the role-play practised.")
        else:
            data["skill"] = ""
            if not data.get("contact") and "contact" not in self.errors:
                self.add_error("contact", "Choose direct or indirect.")
        return data

    def kind_data(self) -> dict:
        """Activity, skill, contact, domains, setting and reflection."""
        data = self.cleaned_data
        return {
            "activity_type": data["activity_type"],
            "skill": data["skill"],
            "contact": data["contact"],
            "domains": list(data["domains"]),
            "setting": data["setting"],
            "reflection": data["reflection"],
        }

    @classmethod
    def initial_from(cls, entry: PracticeEntry) -> dict:
        """Add the practice fields."""
        return {
            **super().initial_from(entry),
            "activity_type": entry.activity_type,
            "skill": entry.skill,
            "contact": entry.contact,
            "domains": list(entry.domains.all()),
            "setting": entry.setting,
            "reflection": entry.reflection,
        }


def topics_field() -> forms.CharField:
    """The 'Topics discussed' box of a supervision session, under the privacy rule."""
    return forms.CharField(
        label="Topics discussed",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
        max_length=5000,
        help_text=PRIVACY_RULE,
    )


class SupervisionEntryForm(EntryForm):
    """Log a supervision session."""

    kind = Kind.SUPERVISION
    text_field = "topics"

    session_format = forms.ChoiceField(
        label="Individual or group", choices=PracticeEntry.SessionFormat.choices, widget=forms.RadioSelect
    )
    topics = topics_field()
    field_order = [
        "assignment",
        "performed_on",
        "start_time",
        "end_time",
        "duration_hours",
        "long_day_confirmed",
        "session_format",
        "delivery",
        "topics",
        "privacy_confirmed",
        "privacy_reason",
    ]

    def kind_data(self) -> dict:
        """Format and topics."""
        return {"session_format": self.cleaned_data["session_format"], "topics": self.cleaned_data["topics"]}

    @classmethod
    def initial_from(cls, entry: PracticeEntry) -> dict:
        """Add the supervision fields."""
        return {**super().initial_from(entry), "session_format": entry.session_format, "topics": entry.topics}


FORM_FOR_KIND = {Kind.PRACTICE: PracticeEntryForm, Kind.SUPERVISION: SupervisionEntryForm}


class EntryFilterForm(forms.Form):
    """Narrow the practice log."""

    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *PracticeEntry.Status.choices])
    kind = forms.ChoiceField(required=False, label="Type", choices=[("", "Practice and supervision"), *Kind.choices])
    activity_type = forms.ChoiceField(
        required=False, label="Activity", choices=[("", "Any activity"), *PracticeEntry.ActivityType.choices]
    )
    contact = forms.ChoiceField(
        required=False, label="Direct or indirect", choices=[("", "Both"), *PracticeEntry.Contact.choices]
    )
    domain = forms.ChoiceField(required=False, label="Competency domain")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, domains: list[CompetencyDomain] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if domains is None:
            domains = CompetencyDomain.objects.order_by("sort_order", "name")
        self.fields["domain"].choices = [("", "Any domain"), *((domain.slug, domain.name) for domain in domains)]


class SubmitForm(forms.Form):
    """Choose which ready entries to send for review."""

    entries = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": "Choose at least one entry."})

    def __init__(self, *args, ready_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(pk, pk) for pk in ready_ids]


class SupervisorProfileForm(forms.Form):
    """The qualification a supervisor's attestations rest on."""

    qualification = forms.CharField(max_length=200, help_text="For example: Certified Peer Specialist Supervisor.")
    credential_number = forms.CharField(max_length=100)
    jurisdiction = forms.CharField(max_length=100, help_text="The state, province or country that issued it.")


class SupervisorRequestForm(forms.Form):
    """A trainee asks for a supervisor: who and where, or "help me find one"."""

    placement = forms.CharField(
        label="Your placement or organisation", max_length=200, required=False, help_text="Where you practise."
    )
    supervisor_name = forms.CharField(label="Your supervisor's name", max_length=200, required=False)
    supervisor_email = forms.EmailField(
        label="Your supervisor's email (if you know it)",
        required=False,
        help_text="We only use it to set things up with them.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    help_me_find = forms.BooleanField(label="I don't have a supervisor yet: please help me find one", required=False)

    def clean(self):
        """Either the placement and the supervisor's name, or a tick in "help me find one"."""
        data = super().clean()
        if data.get("help_me_find"):
            return data
        if not (data.get("placement") or "").strip():
            self.add_error("placement", "Tell us where you practise, or tick “help me find one”.")
        if not (data.get("supervisor_name") or "").strip():
            self.add_error("supervisor_name", "Tell us your supervisor's name, or tick “help me find one”.")
        return data


class ReopenForm(forms.Form):
    """A programme admin's reason for reopening an approved entry."""

    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The trainee sees it, and it stays in the entry's history.",
    )


class SupervisorInvitationForm(forms.Form):
    """A supervisor invites someone they supervise: their email, the placement and the day supervision began."""

    email = forms.EmailField(
        label="Their email address",
        help_text="The address they use, or will use, to sign in here. Only that address can accept.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter the email address of the person you supervise."},
    )
    organisation = forms.ModelChoiceField(
        label="Placement",
        queryset=Organisation.objects.none(),
        empty_label="Choose the placement",
        help_text="Where you supervise them. Ask a programme admin if it isn't listed.",
        error_messages={"required": "Choose the placement where you supervise them."},
    )
    starts_on = forms.DateField(
        label="Supervision started on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the day you started supervising them."},
    )

    def __init__(self, *args, **kwargs):
        """Offer only active placements."""
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")
