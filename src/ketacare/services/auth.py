"""Signing in: password check with throttling, API bearer tokens, resolving the actor."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.config import Settings
from ketacare.db.models import ApiToken, SignInAttempt, User
from ketacare.db.uow import after_rollback
from ketacare.domain.errors import Unauthenticated
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.passwords import DUMMY_HASH, verify_password

GENERIC_REFUSAL = "the email or password is not right"


def sign_in(
    *,
    session: Session,
    settings: Settings,
    clock: Clock,
    email: str,
    password: str,
    client: str = "",
) -> User:
    """Return the user for a right email and password; refuse with one generic message.

    After `signin_max_failures` failures within `signin_window_s` the account is locked for the
    window, whatever the password (throttling lives in the database, so it holds across workers).
    Failed attempts are recorded even though the refusal rolls the request back.
    """
    email = email.strip().lower()
    now = clock.now()
    window_start = now - timedelta(seconds=settings.signin_window_s)
    failures = (
        session.scalar(
            select(func.count())
            .select_from(SignInAttempt)
            .where(
                SignInAttempt.email == email,
                SignInAttempt.at >= window_start,
                SignInAttempt.succeeded.is_(False),
            )
        )
        or 0
    )
    if failures >= settings.signin_max_failures:
        _remember(session, email, client, now, succeeded=False)
        minutes = settings.signin_window_s // 60
        raise Unauthenticated(
            f"too many failed sign-ins for this account; try again in {minutes} minutes"
        )
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        _remember(session, email, client, now, succeeded=False)
        raise Unauthenticated(GENERIC_REFUSAL)
    session.add(SignInAttempt(email=email, client=client[:100], at=now, succeeded=True))
    return user


def _remember(session: Session, email: str, client: str, at: object, *, succeeded: bool) -> None:
    # Added now (kept if the caller answers and commits) and again after a rollback (kept if
    # the refusal propagates): either way the failure counts towards throttling, exactly once.
    attempt = {"email": email, "client": client[:100], "at": at, "succeeded": succeeded}
    session.add(SignInAttempt(**attempt))
    after_rollback(session, lambda s: s.add(SignInAttempt(**attempt)))


def issue_api_token(*, session: Session, settings: Settings, clock: Clock, user: User) -> str:
    """A new bearer token for the JSON API; only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        ApiToken(
            user_id=user.id,
            token_sha256=_digest(token),
            created_at=now,
            expires_at=now + timedelta(hours=settings.api_token_ttl_h),
            revoked_at=None,
        )
    )
    session.flush()
    return token


def actor_for_token(*, session: Session, clock: Clock, token: str) -> Actor:
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        raise Unauthenticated("the bearer token is unknown, expired or revoked; sign in again")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthenticated("the account behind this token is no longer active")
    return Actor.for_user(user)


def actor_for_user_id(*, session: Session, user_id: int) -> Actor | None:
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return Actor.for_user(user)


def revoke_api_token(*, session: Session, clock: Clock, token: str) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
