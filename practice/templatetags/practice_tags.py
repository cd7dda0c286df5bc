"""Template filters for the practice log."""

from django import template

register = template.Library()


@register.filter
def hours(minutes) -> str:
    """Minutes as hours with up to two decimals and no trailing zeros: 90 → '1.5'."""
    return f"{(minutes or 0) / 60:.2f}".rstrip("0").rstrip(".")
