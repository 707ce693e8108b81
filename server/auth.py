"""The update token: writes need ``Authorization: Bearer TOKEN``."""

from __future__ import annotations

import hmac

from flask import request

from . import context
from .errors import Forbidden, Unauthorized

REALM = 'Bearer realm="policykg"'


def require_token() -> None:
    """Return when the request carries the configured token; otherwise raise 401 or 403."""
    token = context.settings().update_token
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if not header:
        raise Unauthorized("This operation needs the update token: send Authorization: Bearer TOKEN.", headers={"WWW-Authenticate": REALM})
    if scheme.lower() != "bearer" or not token or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Forbidden("The token sent does not allow this operation.")
