"""Two-factor authentication required for supervisors and programme admins before they change anything."""


class MfaRequiredMiddleware:
    """Placeholder: filled in with the two-factor rule."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
