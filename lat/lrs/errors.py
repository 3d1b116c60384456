"""HTTP errors of the Statement API: raised anywhere in a request, answered by the app."""

from __future__ import annotations


class ApiError(Exception):
    """An xAPI error response: ``status`` and a message saying what is wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ApiError:
    """A 400 Bad Request with ``message``."""
    return ApiError(400, message)
