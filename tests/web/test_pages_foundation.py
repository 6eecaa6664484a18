"""Sign-in pages, the session cookie, health and the API docs."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.web.test_bad_input import csrf_from


def sign_in(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/signin").text)
    return client.post(
        "/signin",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_signing_in_sets_an_httponly_samesite_lax_session_cookie(client, cast) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(client, "admin@a.example")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    home = client.get("/")
    assert home.status_code == 200
    assert "admin@a.example" in home.text


def test_a_wrong_password_shows_the_form_again_with_the_email_kept(client, cast) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(client, "admin@a.example", "wrong-password")
    assert response.status_code == 401
    assert "the email or password is not right" in response.text
    assert 'value="admin@a.example"' in response.text


def test_pages_send_an_anonymous_visitor_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/admin/audit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/admin/audit"


def test_signing_out_ends_the_session(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    token = csrf_from(client.get("/").text)
    client.post("/signout", data={"csrf_token": token})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_admin_audit_page_lists_and_filters_events(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "admin@a.example")
    client.get("/patients")
    page = client.get("/admin/audit", params={"action": "patient.list"})
    assert page.status_code == 200
    assert "<code>patient.list</code>" in page.text
    assert "<code>user.create</code>" not in page.text


def test_a_nurse_cannot_open_the_audit_page(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    assert client.get("/admin/audit").status_code == 403


def test_health_and_api_docs_answer(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/api/docs").status_code == 200
    assert "/api/patients/{patient_id}" in client.get("/api/openapi.json").json()["paths"]


def test_an_unknown_api_path_answers_with_the_problem_shape(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/nothing-here").json()
    assert body["status"] == 404
    assert body["detail"] == "there is nothing at /api/nothing-here"
