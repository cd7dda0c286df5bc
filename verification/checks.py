"""System checks: the rate-limit settings must parse, so a typo fails `manage.py check` rather than a lookup."""

from django.conf import settings
from django.core import checks

from lms.lookup_limits import parse_rate


@checks.register(checks.Tags.security)
def rate_limit_settings(app_configs, **kwargs):
    """VERIFY_RATE_LIMIT and VERIFY_TOKEN_RATE_LIMIT look like '60/m', '1000/h', '10/s' or 'off'."""
    problems = []
    for name in ("VERIFY_RATE_LIMIT", "VERIFY_TOKEN_RATE_LIMIT"):
        try:
            parse_rate(getattr(settings, name))
        except ValueError as error:
            problems.append(
                checks.Error(str(error), hint="Use e.g. 60/m, 1000/h, 10/s, or off.", id="verification.E001")
            )
    return problems
