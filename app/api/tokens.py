"""Personal API tokens: create (the secret is returned once), revoke, and find the token a request
presents. Only the SHA-256 of a token is stored; the public prefix finds its row.

A token reads ``cn_<prefix>_<secret>``: ``prefix`` is 8 hex characters, ``secret`` comes from
``secrets.token_urlsafe(32)`` (256 bits), so the hash needs no salt or slow function.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.api.models import ApiToken
from app.extensions import db
from app.models import User, utcnow
from app.services import ServiceError

TOKEN_RE = re.compile(r"cn_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")
MAX_NAME = 100
MAX_DAYS = 3650
TOUCH_EVERY = timedelta(minutes=1)  # last use is recorded at most this often (one write per minute)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "", days: int | None = None,
                 creation_token: str | None = None) -> tuple[ApiToken, str | None]:
    """A new token for ``user``: (row, secret). ``days`` None never expires. A repeated
    ``creation_token`` (a reloaded form) returns the row made before and no secret."""
    creation_token = (creation_token or "").strip()[:64] or None
    if creation_token:
        made = db.session.scalar(sa.select(ApiToken).where(ApiToken.creation_token == creation_token))
        if made is not None and made.user_id == user.id:
            return made, None
    name = " ".join((name or "").split()) or _("Khóa API")
    if len(name) > MAX_NAME:
        raise ServiceError(_("Tên dài quá %(n)d ký tự.", n=MAX_NAME), "name")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ServiceError(_("Thời hạn phải từ 1 đến %(n)d ngày.", n=MAX_DAYS), "days")
    if not user.is_active:
        raise ServiceError(_("Tài khoản này đã bị khóa."), "user")
    prefix = secrets.token_hex(4)
    while db.session.scalar(sa.select(ApiToken.id).where(ApiToken.prefix == prefix)):
        prefix = secrets.token_hex(4)
    secret = f"cn_{prefix}_{secrets.token_urlsafe(32)}"
    now = utcnow()
    token = ApiToken(user=user, name=name, prefix=prefix, token_hash=_hash(secret), created_dt=now,
                     expires_dt=now + timedelta(days=days) if days else None, creation_token=creation_token)
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token: ApiToken) -> None:
    """Stop a token for good (a revoked token is kept: the audit log points at it)."""
    if token.revoked_dt is None:
        token.revoked_dt = utcnow()
        db.session.flush()


def token_for(presented: str | None) -> ApiToken | None:
    """The usable token matching ``presented`` (revoked, expired, unknown or a locked account: None)."""
    match = TOKEN_RE.fullmatch(presented or "")
    if match is None:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == match.group(1)))
    if token is None or not hmac.compare_digest(token.token_hash, _hash(presented)) or not token.is_usable:
        return None
    return token


def touch(token: ApiToken) -> None:
    """Record the use (committed with the request), at most once a minute per token."""
    now = utcnow()
    if token.last_used_dt is None or now - token.last_used_dt >= TOUCH_EVERY:
        token.last_used_dt = now


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.revoked_dt.is_not(None), ApiToken.id.desc())))
