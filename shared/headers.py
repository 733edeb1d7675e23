"""Names of the HTTP headers Soko reads or writes, in one place.

A module of constants that imports nothing of ours, so that the middleware, the peer client and
the auth code can all use them without importing one another.
"""

REQUEST_ID_HEADER = "X-Request-ID"
"""The request's id: read from the caller when plain, else made; echoed and passed to peers."""

USER_HEADER = "X-Soko-User"
"""The end user's token that a service passes on when it calls a peer for that user."""

CLIENT_ADDRESS_HEADER = "X-Soko-Client-Address"
"""The address of the person a service acts for (e.g. a browser signing in through the surveys
form), so that the callee throttles by it; a callee trusts it from a service token only."""

SESSION_COOKIE = "soko_session"
"""The cookie of a person signed in through the api's sign-in page: their access token (HttpOnly,
SameSite=Lax); the pages accept it, and the reports service for the documents a browser opens."""

API_KEY_HEADER = "X-API-Key"
"""A school information system's key (checked by the api service only)."""

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
"""A write carrying it is answered once and replayed on repeat; the peer client retries it."""

REPLAY_HEADER = "Idempotent-Replayed"
"""Set to `true` on an answer replayed for a repeated `Idempotency-Key`."""

RETRY_AFTER_HEADER = "Retry-After"

ETAG_HEADER = "ETag"
"""The entity tag of an editable resource's stored state, on its GET and on a change's answer."""

IF_MATCH_HEADER = "If-Match"
"""A change applied only when the resource's ETag is still the one given (shared/etag.py)."""
