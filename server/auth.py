"""The update token: writes need ``Authorization: Bearer TOKEN``."""

from __future__ import annotations

import hmac

from flask import Response, request

from . import context
from .errors import error_response

REALM = 'Bearer realm="policykg"'


def refuse_unless_authorized() -> Response | None:
    """None when the request carries the configured token; otherwise the 401 or 403 to send."""
    token = context.settings().update_token
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if not header:
        return error_response(
            401, "This operation needs the update token: send Authorization: Bearer TOKEN.", {"WWW-Authenticate": REALM}
        )
    if scheme.lower() != "bearer" or not token or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return error_response(403, "The token sent does not allow this operation.")
    return None
