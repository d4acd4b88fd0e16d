"""No cookie session on API routes.

The API authenticates by token only. Its requests get an empty session that is never saved: a
browser's session cookie is not even read (so a logged-in browser cannot be lured into calling
the API, the CSRF exemption stays safe) and no ``Set-Cookie`` ever goes out.
"""
from __future__ import annotations

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

API_PREFIX = "/api/"


class ApiSession(SecureCookieSession):
    """An empty session for one API request; it is thrown away at the end."""


class ApiAwareSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if request.path.startswith(API_PREFIX):
            return ApiSession()
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            # What Flask returns without a cookie, minus building a signing serializer first:
            # most requests of the phone form come without one.
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if isinstance(session, ApiSession):
            return
        super().save_session(app, session, response)
