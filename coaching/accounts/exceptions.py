"""What the account services refuse."""

from __future__ import annotations

from coaching.exceptions import DomainError


class UsernameTaken(DomainError):
    code = "username_taken"
    default_message = "That username is already taken."


class InvalidPassword(DomainError):
    code = "invalid_password"
    default_message = "The password is not acceptable."


class InvalidCredentials(DomainError):
    code = "authentication_failed"
    default_message = "Wrong username or password."


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = "Too many attempts. Try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = max(1, int(retry_after))
