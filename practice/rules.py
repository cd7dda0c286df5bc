"""Practice-log rules with no database access: durations, dates, overlaps, and the privacy screen for free text."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

QUARTER_HOUR = 15
CONFIRM_ABOVE_MINUTES = 12 * 60
MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class Problem:
    """A rule an entry breaks: a machine code and a message for the trainee."""

    code: str
    message: str
    entry_id: int | None = None  # the other entry the problem is about, such as the one an entry overlaps


def duration_problem(minutes: int, *, confirmed: bool = False) -> Problem | None:
    """Check a duration in minutes: quarter hours, above 0, at most 24 h; above 12 h only when confirmed.

    Codes: 'not_quarter_hours', 'too_short', 'too_long', 'needs_confirmation'.
    """
    if minutes % QUARTER_HOUR:
        return Problem("not_quarter_hours", "Record time in quarter hours (15, 30 or 45 minutes past the hour).")
    if minutes <= 0:
        return Problem("too_short", "The duration must be more than 0.")
    if minutes > MAX_MINUTES:
        return Problem("too_long", "An entry can't be longer than 24 hours.")
    if minutes > CONFIRM_ABOVE_MINUTES and not confirmed:
        return Problem(
            "needs_confirmation",
            "That's more than 12 hours in one entry. Please check it, and tick the box to confirm it is right.",
        )
    return None


def date_problem(day: date, *, today: date) -> Problem | None:
    """Refuse a date in the future (code 'future_date')."""
    if day > today:
        return Problem("future_date", "You can't log practice for a date that hasn't happened yet.")
    return None


def day_total_problem(*, minutes_already: int, minutes: int) -> Problem | None:
    """Refuse an entry that takes the day's total above 24 h (code 'day_over_24h')."""
    if minutes_already + minutes > MAX_MINUTES:
        logged = minutes_already / 60
        return Problem(
            "day_over_24h",
            f"You've already logged {logged:g} hours on this day, so this entry would take it past 24 hours.",
        )
    return None


def long_day_problem(*, minutes_already: int, minutes: int, confirmed: bool) -> Problem | None:
    """Ask for confirmation when the day's total goes above 12 h (code 'needs_confirmation')."""
    total = minutes_already + minutes
    if total > CONFIRM_ABOVE_MINUTES and minutes_already and not confirmed:
        return Problem(
            "needs_confirmation",
            f"With this entry you'd have logged {total / 60:g} hours on this day. Please check it, and tick the box "
            "to confirm it is right.",
        )
    return None


def _span(day: date, start: time, minutes: int) -> tuple[datetime, datetime]:
    begin = datetime.combine(day, start)
    return begin, begin + timedelta(minutes=minutes)


def overlap_problem(*, day: date, start: time | None, minutes: int, others: list[tuple]) -> Problem | None:
    """Refuse a timed entry that overlaps another timed entry (code 'overlap'), naming that entry's date and times.

    `others` holds (date, start time or None, minutes) of the other entries, with the entry's id as an optional
    fourth item, which the problem then carries. Entries without a start time can't overlap. One entry ending
    exactly when another starts is fine.
    """
    if start is None:
        return None
    begin, end = _span(day, start, minutes)
    for other_day, other_start, other_minutes, *other_id in others:
        if other_start is None:
            continue
        other_begin, other_end = _span(other_day, other_start, other_minutes)
        if begin < other_end and other_begin < end:
            return Problem(
                "overlap",
                f"This overlaps another entry from {other_begin:%H:%M} to {other_end:%H:%M} on "
                f"{other_begin:%-d %b %Y}. Change the times of one.",
                entry_id=other_id[0] if other_id else None,
            )
    return None


def assignment_problem(day: date, *, starts: date, ends: date | None) -> Problem | None:
    """Refuse a date outside the supervisor assignment's period (code 'outside_assignment')."""
    if day < starts or (ends is not None and day > ends):
        period = f"{starts:%d %b %Y} to {ends:%d %b %Y}" if ends else f"from {starts:%d %b %Y}"
        return Problem(
            "outside_assignment", f"This supervisor supervises you {period}, and this date falls outside that."
        )
    return None


# The privacy screen: practice logs must hold nothing that could identify the people supported.

PRIVACY_RULE = (
    "Practice logs must not identify the people you support: no names, phone numbers, email addresses, "
    "street addresses or dates of birth. Describe the work instead, e.g. “a peer in their twenties”."
)


@dataclass(frozen=True)
class Finding:
    """A piece of free text that looks like it identifies someone."""

    kind: str
    text: str

    @property
    def message(self) -> str:
        """What was found, in plain words."""
        return f"{KIND_LABELS[self.kind]}: “{self.text}”"


KIND_LABELS = {
    "email": "An email address",
    "phone": "A phone number",
    "address": "A street address",
    "postcode": "A postcode",
    "birth_date": "A date of birth",
    "name": "What looks like a person's name",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d[\d\s.-]{6,}\d(?![\w/:])")
_LOCAL_PHONE = re.compile(r"(?<![\w/.-])\d{3}-\d{4}(?![\w-])")
_TIME_RANGE = re.compile(r"\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2}")
_STREET_SUFFIX = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|court|ct|way|place|pl|boulevard|blvd|crescent|"
    r"terrace|gardens|square|grove|row|hill|walk|parade"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-zA-Z]?,?\s+(?:[NSEW]\.?\s+)?((?:[A-Z][\w'’-]+\.?\s+){{1,3}})(?i:{_STREET_SUFFIX})\b\.?"
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_A_DATE = (
    r"(?:\d{4}-\d{1,2}-\d{1,2}"  # 1985-03-04
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"  # 12/03/1985
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{4}}"  # 3 March 1990, 3rd of March 1990
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"  # March 3, 1990
)
_BIRTH_DATE = re.compile(
    rf"\b(?:d\.?o\.?b\b\.?|date of birth\b|birth ?date\b|born(?:\s+(?:on|in))?\b)[\s:,-]*"
    rf"(?:{_A_DATE}|(?:{_MONTHS})\.?,?\s+\d{{4}})",
    re.I,
)
_NAME_AFTER = re.compile(
    r"\b(?i:client|clients|peer|peers|with|named|called|patient|participant|service user|member)\s+"
    r"([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2})\b"
)
_ORGANISATION_AND_CALENDAR_WORDS = """
    advice advocacy alcoholics anonymous bank bureau care centre center citizens clinic college community
    council crisis day department food group health hearing hospital house housing job line mental narcotics
    network office peer plan programme program project recovery safety action service services support team
    trust unit voices ward wellness universal credit lived experience motivational interviewing jobcentre plus
    social security new york open minds court family steps ways hours minutes days weeks sessions people
    mum dad mother father parents partner friends staff nurse doctor doctors supervisor colleagues everyone
    zoom teams google facebook whatsapp i my our their his her the a an this that these those them they it
    english spanish french polish arabic urdu punjabi bengali somali christmas easter ramadan eid diwali
    monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december
"""
_NOT_NAMES = frozenset(_ORGANISATION_AND_CALENDAR_WORDS.split())
_NOT_STREET_NAMES = frozenset(
    ["family", "hours", "steps", "ways", "minutes", "days", "weeks", "sessions", "people", "times"]
)


def visible_text(text: str) -> str:
    """The text without invisible format characters (zero-width spaces, joiners, marks) and outer whitespace."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf").strip()


def _words(name: str) -> list[str]:
    return [word.lower() for word in re.findall(r"[\w'’-]+", name)]


def known_words(people: list[str], places: tuple[str, ...] | list[str] = ()) -> frozenset[str]:
    """What the trainee may write freely, lower-cased: each word of people's names (themselves, their supervisors)
    and places' names (their placements) whole or as runs of two or more of their words.

    A single word of a longer place name is not enough: "Maria Lopez Centre" must not let "with Maria" through.
    """
    known = {word for name in people for word in _words(name)}
    for name in places:
        words = _words(name)
        runs = range(2, len(words) + 1) if len(words) > 1 else [1]
        known.update(" ".join(words[start : start + size]) for size in runs for start in range(len(words) - size + 1))
    return frozenset(known)


def privacy_findings(text: str, *, known: frozenset[str] = frozenset()) -> list[Finding]:
    """Find details in free text that could identify a person supported; empty when the text looks fine.

    `known` holds words and place names that are not people supported (see known_words): a name made only of
    known words, or a known place name, is not flagged.
    """
    text = visible_text(text)  # what is stored and shown: a zero-width space must not split a number or a name
    if not text:
        return []
    findings: list[Finding] = []
    for match in _EMAIL.finditer(text):
        findings.append(Finding("email", match.group()))
    without_emails = _EMAIL.sub(" ", text)
    for match in _BIRTH_DATE.finditer(without_emails):
        findings.append(Finding("birth_date", match.group().strip()))
    for match in _PHONE.finditer(without_emails):
        digits = re.sub(r"\D", "", match.group())
        looks_like_times = _TIME_RANGE.search(match.group())
        if 9 <= len(digits) <= 15 and not looks_like_times and not _BIRTH_DATE.search(match.group()):
            findings.append(Finding("phone", match.group().strip()))
    for match in _LOCAL_PHONE.finditer(without_emails):
        findings.append(Finding("phone", match.group()))
    for match in _ADDRESS.finditer(without_emails):
        if not any(word.strip(".").lower() in _NOT_STREET_NAMES for word in match.group(1).split()):
            findings.append(Finding("address", match.group().strip()))
    for match in _POSTCODE.finditer(without_emails):
        findings.append(Finding("postcode", match.group()))
    for match in _NAME_AFTER.finditer(without_emails):
        words = match.group(1).split()
        lowered = [word.lower() for word in words]
        if any(word in _NOT_NAMES for word in lowered) or " ".join(lowered) in known:
            continue
        if not all(word in known for word in lowered):
            findings.append(Finding("name", match.group(1)))
    return findings
