"""Limits on certificate lookups, per client address (pages, API, files, credentials) or per verifier account (its
API tokens and CSV checks together): the rates, in settings, and who is counted.

In the kernel because several apps look certificates up (verification's pages and API, certificates' published
credentials); the counting itself is lms/ratelimit.py's: fixed windows, atomic, shared by every server.
"""

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from lms.ratelimit import consume, used

OFF = "off"
UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_RATE = re.compile(r"^(\d+)/(\d*)([a-z]+)$")


@dataclass(frozen=True)
class Rate:
    """So many lookups per window of so many seconds."""

    count: int
    seconds: int


def parse_rate(text: str) -> Rate | None:
    """'60/m', '1000/h', '10/s' (or '100/5m') as a Rate, 'off' as None; raises ValueError for anything else."""
    value = "".join(str(text or "").split()).lower()
    if value == OFF:
        return None
    match = _RATE.match(value)
    if not match or match[3] not in UNITS or int(match[1]) < 1 or int(match[2] or 1) < 1:
        raise ValueError(f"{text!r} isn't a rate limit: write a number of lookups per s, m, h or d, such as 60/m.")
    return Rate(count=int(match[1]), seconds=int(match[2] or 1) * UNITS[match[3]])


def describe_rate(rate: Rate | None) -> str:
    """A rate in plain words: '600 lookups a minute', '100 lookups every 5 minutes', 'no limit'."""
    if rate is None:
        return "no limit"
    names = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}
    lookups = f"{rate.count:,} lookup{'s' if rate.count != 1 else ''}"
    if rate.seconds in names:
        return f"{lookups} {'an' if rate.seconds == 3600 else 'a'} {names[rate.seconds]}"
    longest = max(length for length in names if not rate.seconds % length)
    return f"{lookups} every {rate.seconds // longest:,} {names[longest]}s"


@lru_cache(maxsize=16)
def _setting_rate(text: str) -> Rate | None:
    """A rate setting's text parsed once, not on every lookup (tests change the settings, so keyed by the text)."""
    return parse_rate(text)


def address_rate() -> Rate | None:
    """The limit per client address (VERIFY_RATE_LIMIT)."""
    return _setting_rate(settings.VERIFY_RATE_LIMIT)


def token_rate() -> Rate | None:
    """The limit per verifier account: its API tokens and CSV checks together (VERIFY_TOKEN_RATE_LIMIT)."""
    return _setting_rate(settings.VERIFY_TOKEN_RATE_LIMIT)


def client_address(request: HttpRequest) -> str:
    """The address the request came from.

    REMOTE_ADDR is the connecting peer. Behind a reverse proxy the deployment must make it the real client's address
    (with gunicorn, e.g. the PROXY protocol: --proxy-protocol and --proxy-allow-from the proxy; forwarded-allow-ips
    only covers the scheme headers). X-Forwarded-For is never read here: any client can send one.
    """
    address = request.META.get("REMOTE_ADDR") or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))  # one client commonly holds a whole /64


def lookups_refused(*, who: str, rate: Rate | None, cost: int = 1) -> int | None:
    """Count `cost` lookups for `who` in the current window: None if allowed, else the seconds until it resets.

    Refused lookups aren't counted, so a batch too big for what is left doesn't use up the rest of the window.
    """
    if rate is None:
        return None
    return consume(key=f"verify-limit:{who}", cost=cost, limit=rate.count, seconds=rate.seconds)


def address_lookups_refused(request: HttpRequest, *, cost: int = 1) -> int | None:
    """Count lookups against the client address's limit; None if allowed, else seconds to wait."""
    rate = address_rate()
    if rate is None:
        return None  # no limit: the address isn't needed
    return lookups_refused(who=f"addr:{client_address(request)}", rate=rate, cost=cost)


def token_lookups_left(user_id: int) -> int | None:
    """How many lookups the verifier account has left in the current window (None: no limit)."""
    rate = token_rate()
    if rate is None:
        return None
    return max(0, rate.count - used(key=f"verify-limit:account:{user_id}", seconds=rate.seconds))


def token_lookups_refused(user_id: int, *, cost: int = 1) -> int | None:
    """Count token lookups against the verifier account's own limit (all its tokens together); None if allowed,
    else seconds to wait."""
    return lookups_refused(who=f"account:{user_id}", rate=token_rate(), cost=cost)
