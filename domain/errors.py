"""Base classes for broken rules; each aggregate module names its own errors."""


class DomainError(Exception):
    """A rule of the service centre was broken; `code` names the rule for machines."""

    code = "rule_broken"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing asked for does not exist (or must not be known to exist)."""

    code = "not_found"


class Forbidden(DomainError):
    """The actor may not do this."""

    code = "forbidden"


class Conflict(DomainError):
    """The current state of the record forbids this."""

    code = "conflict"


class Invalid(DomainError):
    """The request names values the record cannot accept."""

    code = "invalid"


class Gone(DomainError):
    """The thing asked for existed but is gone for good (its data erased)."""

    code = "gone"
