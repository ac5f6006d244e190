"""Errors the honor code's ``api`` raises; every entry point turns them into a clear 4xx message."""


class HonorCodeError(Exception):
    """Base of the app's errors. ``str(error)`` is a translated message fit to show a user."""

    status_code = 400


class InvalidInput(HonorCodeError):
    """
    The input does not satisfy the rules.

    Attributes:
        errors: dict mapping a field name (or ``"__all__"``) to a list of messages about it.
    """

    def __init__(self, errors):
        self.errors = {field: list(messages) for field, messages in errors.items()}
        super().__init__(" ".join(str(msg) for messages in self.errors.values() for msg in messages))


class NotPermitted(HonorCodeError):
    """The user may not do this (anonymous, preview, not staff)."""

    status_code = 403


class NotFound(HonorCodeError):
    """The thing asked for does not exist."""

    status_code = 404


class ReadOnly(HonorCodeError):
    """The record can no longer be changed (a published policy version)."""

    status_code = 409


class NoPolicyPublished(HonorCodeError):
    """No honor code version has been published yet, so there is nothing to accept."""

    status_code = 409


class Conflict(HonorCodeError):
    """The request is based on something that has changed meanwhile (reload and try again)."""

    status_code = 409


class PlatformRefused(HonorCodeError):
    """The platform could not do what was asked (e.g. undo a sanction) just now; nothing was changed here."""

    status_code = 409


class SanctionCannotTakeEffect(HonorCodeError):
    """
    The platform would accept the sanction's call but the sanction would have no effect there (zero credit in a course
    whose grades are frozen). Trying again changes nothing: course staff are told why.
    """

    status_code = 409


class NotificationNotDelivered(Exception):
    """The platform's messaging took a message and did not deliver it (edx-ace reports that only in monitoring)."""
