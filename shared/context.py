"""What belongs to the request being served, visible to logs, the audit log and peer calls.

Who is calling (`principal_var`) lives beside `Principal` in shared/identity.py.

RequestIdMiddleware sets and resets all of them around each request, so nothing leaks from one
request to the next even when one app calls another in the same task (tests, ASGITransport).
"""

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# The end user's token, passed on to peer services in X-Soko-User.
user_token_var: ContextVar[str | None] = ContextVar("user_token", default=None)
# The caller's network address, for throttling and the audit log.
client_address_var: ContextVar[str | None] = ContextVar("client_address", default=None)
