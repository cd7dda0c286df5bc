"""Bounds on record ids taken from URLs and forms: an id past the largest the database holds names nothing.

URLs take ids with the `<id:…>` converter registered here (importing this module registers it), which matches no
larger number, so such a URL is a 404 before any view runs. Forms choosing records by id use
BoundedModelMultipleChoiceField or a bounded IntegerField, so such a value is a form error.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import register_converter
from django.urls.converters import get_converters

# The largest id a BigAutoField holds: a larger one in a URL names nothing and would overflow the database's integer,
# so views answer 404 before asking.
MAX_ID = 2**63 - 1


class IdConverter:
    """A record's id in a URL: digits up to MAX_ID; a larger number doesn't match, so the URL is a 404."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        """The id as an int; ValueError (no match) past MAX_ID."""
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is larger than any id")
        return number

    def to_url(self, value: int) -> str:
        """The id as digits."""
        return str(value)


if "id" not in get_converters():
    register_converter(IdConverter, "id")


def id_too_large(value) -> bool:
    """Whether a value (an int or its digits) is a whole number past MAX_ID, which no record's id can be."""
    digits = str(value).strip().lstrip("0")
    # Too many digits is too large, and int() of more than 4,300 digits raises: count before converting.
    return digits.isascii() and digits.isdigit() and (len(digits) > len(str(MAX_ID)) or int(digits) > MAX_ID)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Choose records by id, refusing ids no row can have before the database is asked (it would overflow)."""

    def _check_values(self, value):
        if (self.to_field_name or "pk") == "pk":
            for pk in value:
                if id_too_large(pk):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
        return super()._check_values(value)
