"""Forms for group supervision: the supervisor's session form, and the trainee's confirm and decline forms."""

from django import forms
from django.utils import timezone

from practice.forms import EntryForm, topics_field
from practice.group import DECLINE_REASON_LENGTH, GroupSessionData
from practice.models import PracticeEntry
from practice.rules import known_words


class GroupSessionForm(EntryForm):
    """A supervisor logs one supervision session for the trainees who were there."""

    text_field = "topics"

    trainees = forms.TypedMultipleChoiceField(
        label="Trainees who were there",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each of them is emailed and asked to confirm it in their practice log.",
        error_messages={"required": "Choose the trainees who were at the session."},
    )
    topics = topics_field()
    field_order = [
        "trainees",
        "performed_on",
        "start_time",
        "end_time",
        "duration_hours",
        "long_day_confirmed",
        "delivery",
        "topics",
        "privacy_confirmed",
        "privacy_reason",
    ]

    def __init__(self, *args, supervisor, choices: list[tuple[int, str]], places: list[str], **kwargs):
        super().__init__(*args, trainee=supervisor, **kwargs)
        del self.fields["assignment"]
        self.fields["trainees"].choices = choices
        self.fields["long_day_confirmed"].label = "I've checked: this long session is right"
        self.fields["privacy_reason"].help_text = "For example: a co-facilitator. Your trainees see this."
        self.names = dict(choices)
        self.places = places

    def privacy_known(self, data: dict) -> frozenset[str]:
        """The supervisor's own name, their placements' and the names of the trainees they chose, as the service."""
        chosen = [self.names.get(pk, "") for pk in data.get("trainees") or []]
        return known_words([self.trainee.first_name, self.trainee.last_name, *chosen], places=self.places)

    def session_data(self) -> GroupSessionData:
        """The cleaned values as the service takes them."""
        data = self.cleaned_data
        return GroupSessionData(
            trainee_ids=list(data["trainees"]),
            performed_on=data["performed_on"],
            start_time=data.get("start_time"),
            minutes=int(data["duration_hours"] * 60),
            long_day_confirmed=data.get("long_day_confirmed", False),
            delivery=data["delivery"],
            topics=data["topics"],
            privacy_reason=(data.get("privacy_reason") or "").strip() if data.get("privacy_confirmed") else "",
        )


def initial_session() -> dict:
    """Today, in person."""
    return {"performed_on": timezone.localdate(), "delivery": PracticeEntry.Delivery.IN_PERSON}


class ConfirmForm(forms.Form):
    """The trainee confirms they were there; a long day needs a tick too."""

    long_day_confirmed = forms.BooleanField(required=False, label="I've checked: this long day is right")


class DeclineForm(forms.Form):
    """The trainee says they weren't there, and why."""

    reason = forms.CharField(
        label="Why not, in a few words",
        max_length=DECLINE_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": DECLINE_REASON_LENGTH}),
        help_text="For example: I was on leave that week. Your supervisor sees this.",
        error_messages={"required": "Say in a few words why, so your supervisor knows."},
    )
