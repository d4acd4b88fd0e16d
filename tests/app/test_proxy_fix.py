"""PROXY_FIX=1 makes the app trust one reverse proxy's X-Forwarded-* headers; off by default."""
import pytest
from flask import request

from app import create_app

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "caunoi.example.vn"}


def seen_by_app(monkeypatch, tmp_path, proxy_fix):
    if proxy_fix is None:
        monkeypatch.delenv("PROXY_FIX", raising=False)
    else:
        monkeypatch.setenv("PROXY_FIX", proxy_fix)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "INSTANCE_DIR": str(tmp_path),
                      "TESTING": True})
    app.add_url_rule("/_whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme} {request.host}")
    return app.test_client().get("/_whoami", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"}).text


def test_proxy_fix_trusts_forwarded_headers(monkeypatch, tmp_path):
    assert seen_by_app(monkeypatch, tmp_path, "1") == "203.0.113.7 https caunoi.example.vn"


@pytest.mark.parametrize("value", [None, "0"])
def test_without_proxy_fix_forwarded_headers_are_ignored(monkeypatch, tmp_path, value):
    assert seen_by_app(monkeypatch, tmp_path, value) == "10.0.0.2 http localhost"
