"""Bad input gets a clear, specific 4xx and changes nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import ApiToken, SignInAttempt
from tests.conftest import PASSWORD


def _tokens(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ApiToken)) or 0


def test_a_malformed_json_body_gets_400_naming_the_problem(client, cast, db: Session) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/auth/token",
        content=b'{"email": "admin@a.example", "pass',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malformed_json"
    assert body["detail"].startswith("the request body is not valid JSON")
    assert _tokens(db) == 0


def test_an_unknown_enum_value_gets_422_listing_the_allowed_values(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        "/api/audit", params={"outcome": "maybe"}, headers=token_for(cast.admin_a)
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "outcome"
    assert "'maybe' is not one of" in error["message"]
    assert "'allowed'" in error["message"]


def test_a_wrong_password_gets_401_and_issues_no_token(client, cast, db: Session) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/auth/token", json={"email": "nurse@a.example", "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "the email or password is not right"
    assert _tokens(db) == 0


def test_the_right_password_issues_a_working_token(client, cast) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/auth/token", json={"email": "NURSE@a.example", "password": PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "nurse"


def test_repeated_failed_sign_ins_lock_the_account_even_for_the_right_password(
    client, cast, db: Session
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        client.post("/api/auth/token", json={"email": "nurse@a.example", "password": "nope"})
    response = client.post(
        "/api/auth/token", json={"email": "nurse@a.example", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert "too many failed sign-ins" in response.json()["detail"]
    failures = db.scalar(
        select(func.count()).select_from(SignInAttempt).where(SignInAttempt.succeeded.is_(False))
    )
    assert failures == 6
    assert _tokens(db) == 0


def test_four_failures_do_not_lock_the_account(client, cast) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        client.post("/api/auth/token", json={"email": "nurse@a.example", "password": "nope"})
    response = client.post(
        "/api/auth/token", json={"email": "nurse@a.example", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_a_form_post_without_its_csrf_token_is_refused_and_signs_nobody_in(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.get("/signin")
    response = client.post(
        "/signin", data={"email": "nurse@a.example", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_form_post_with_a_forged_csrf_token_is_refused(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.get("/signin")
    response = client.post(
        "/signin",
        data={"email": "nurse@a.example", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)
