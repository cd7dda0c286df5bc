"""The error services raise: a machine code that views and the API branch on, and a message for people."""


class ServiceError(Exception):
    """A rule stopped a service; `code` is stable for programs, `message` is written for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
