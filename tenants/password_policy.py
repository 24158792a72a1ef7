"""The password rule: at least 10 characters, not the e-mail address, not a common password."""

from __future__ import annotations

from core.errors import FieldError

MIN_LENGTH = 10

COMMON_PASSWORDS: frozenset[str] = frozenset(
    """
    1234567890 0123456789 12345678910 1234567890a 123456789a 1q2w3e4r5t 1qaz2wsx3edc
    qwertyuiop qwertyuiop1 qwerty12345 qwerty123456 asdfghjkl; asdfghjkl1 zxcvbnm123
    password123 password1234 password12 password1! passw0rd123 p@ssw0rd123 p@ssword123
    iloveyou123 iloveyou12 letmein123 welcome123 welcome1234 admin12345 administrator
    changeme123 trustno1234 sunshine123 princess123 football123 baseball123 dragon1234
    monkey12345 abc1234567 abcdefghij abcd123456 aaaaaaaaaa 1111111111 0000000000
    9876543210 1122334455 1234512345 1234554321 123123123123 987654321a 5555555555
    shomei12345 certificate sslcertificate hosting123 japan12345 tokyo12345 nippon1234
    sakura1234 pokemon123 naruto1234 doraemon123 password qwerty123 11111111111
    """.split()
)
"""A small bundled list of common passwords of ten or more characters (lower case)."""


def check_password(password: str, email: str = "", field: str = "password") -> list[FieldError]:
    """Errors for a new password, empty when acceptable."""
    if len(password) < MIN_LENGTH:
        return [FieldError(field, "tenants.password_too_short", {"minimum": MIN_LENGTH})]
    lowered = password.strip().lower()
    email = email.strip().lower()
    if email and (lowered == email or lowered == email.split("@", 1)[0]):
        return [FieldError(field, "tenants.password_is_email")]
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        return [FieldError(field, "tenants.password_common")]
    return []
