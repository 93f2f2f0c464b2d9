"""Schema-driven fuzzing with schemathesis, in-process against the WSGI app, authenticated.

Every check runs on every operation (no 5xx, only documented status codes,
answers matching the schema, bad data rejected); positive-data acceptance is
skipped only where the contract itself answers 4xx to schema-valid input the
schema cannot rule out (see POSITIVE_DATA_MAY_FAIL).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import ignored_auth, positive_data_acceptance

from coaching.accounts import tokens
from datespark.wsgi import application
from tests.security_facts import record

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Schema-valid requests the contract answers with 4xx: a tool/action pair that
# does not belong together, a taken username or weak password, wrong
# credentials, a refresh token that is not one, a wrong old password, and
# (import-legacy, whose keys are free text) NUL characters, which PostgreSQL
# cannot store and the contract refuses with a 400; a batch item's completedAt
# before the account existed or more than 5 minutes ahead; and account
# deletion with a password that is not the user's.
POSITIVE_DATA_MAY_FAIL = {
    "/api/tool-completion/batch",
    "/api/tool-completion/reset",
    "/api/me/delete",
    "/api/tool-completion/import-legacy",
    "/api/tool-completion/mark-completed",
    "/api/tool-completion/is-completed",
    "/api/auth/register",
    "/api/auth/login",
    "/api/auth/token/",
    "/api/auth/token/refresh/",
    "/api/auth/password",
}

CASES = {"count": 0, "operations": 0}


@pytest.fixture(scope="module", autouse=True)
def _enough_cases() -> Any:
    yield
    if CASES["operations"] >= 16:  # the whole module ran, not a -k selection
        assert CASES["count"] >= 400, f"only {CASES['count']} generated cases"


@pytest.fixture
def fuzz_user(django_user_model: Any) -> Any:
    user, _ = django_user_model.objects.get_or_create(username="fuzz")
    user.set_password("fuzz-wachtwoord-123")
    user.is_staff = True
    user.save()
    return user


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, fuzz_user: Any) -> None:
    if not CASES.get(case.operation.label):
        CASES[case.operation.label] = 1
        CASES["operations"] += 1
    _, access = tokens.token_pair_for(fuzz_user)  # a fresh token: a fuzzed logout revokes its own
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {access}"}
    # ignored_auth replays with a garbage cookie next to our valid Bearer header, which (as the contract
    # says: header first) still authenticates; every bad-token case is tested explicitly in test_auth.py.
    excluded = [ignored_auth]
    if case.operation.path in POSITIVE_DATA_MAY_FAIL:
        excluded.append(positive_data_acceptance)
    response = case.call()
    CASES["count"] += 1
    record("fuzz_cases")
    assert response.status_code < 500, response.text
    case.validate_response(response, excluded_checks=excluded)
