"""Several hosts, proven: two app instances (gunicorn, each with its own instance folder) and the job
worker against one PostgreSQL, Redis as the job queue, behind a local nginx that spreads requests
over both instances (round robin), as docs/deploy.md describes. Through the proxy:

- a session started on one instance is valid on the other;
- an evidence file uploaded through one instance is served by the other (shared ``STORAGE_DIR``);
- a document job queued by one instance is finished by the worker and served by either.

Every answer says which instance made it (nginx's ``X-Upstream`` header), so the test knows it
crossed hosts. The database: ``MULTIHOST_DATABASE_URL`` if set (it is emptied), else a database
``<PG_URL's name>_multihost`` created afresh beside ``PG_URL`` (default: the local ``test``).
Redis: ``MULTIHOST_REDIS_URL`` (default ``redis://127.0.0.1:6379/7``, flushed). Ports:
``MULTIHOST_PORTS`` (proxy, instance A, instance B; default 5107,5117,5127).
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from factories import real_pdf

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "demo1234"
pytestmark = pytest.mark.e2e


EVIDENCE = real_pdf("multihost " + secrets.token_hex(8))


def _database_url() -> str:
    import sqlalchemy as sa

    if os.environ.get("MULTIHOST_DATABASE_URL"):
        url = sa.make_url(os.environ["MULTIHOST_DATABASE_URL"])
        engine = sa.create_engine(url)
        try:
            with engine.begin() as connection:  # empty it: the test loads the demo data afresh
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        except sa.exc.OperationalError as error:
            pytest.fail(f"PostgreSQL at {url.render_as_string()} is not reachable: {error}")
        finally:
            engine.dispose()
        return url.render_as_string(hide_password=False)
    base = sa.make_url(os.environ.get("PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    url = base.set(database=f"{base.database}_multihost")
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{url.database}" ENCODING \'UTF8\' TEMPLATE template0'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL beside {base.render_as_string()} is not reachable: {error}")
    finally:
        admin.dispose()
    return url.render_as_string(hide_password=False)


def _flask(env: dict, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"


def _wait_for(port: int, proc: subprocess.Popen, what: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer on port {port} within {timeout} s")


NGINX_CONF = """
worker_processes 1;
{user}
error_log {tmp}/nginx-error.log warn;
pid {tmp}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    client_max_body_size 20m;
    upstream caunoi {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
    }}
    server {{
        listen 127.0.0.1:{proxy};
        location / {{
            proxy_pass http://caunoi;
            proxy_next_upstream off;
            proxy_set_header Host              $http_host;
            proxy_set_header X-Forwarded-For   $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host  $http_host;
            proxy_read_timeout 60s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Browser:
    """One cookie jar (the session cookie) talking to the proxy; remembers who answered."""

    def __init__(self, port: int):
        self.port, self.cookies, self.upstream = port, {}, None

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, cookie_value = value.split(";", 1)[0].split("=", 1)
                self.cookies[cookie_name] = cookie_value
        conn.close()
        self.upstream = response.getheader("X-Upstream")
        return response.status, response.getheader("Location"), data

    def get(self, path: str):
        return self.send("GET", path)

    def post_form(self, path: str, fields: dict):
        return self.send("POST", path, urlencode(fields).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path: str, fields: dict, file_field: str, filename: str, data: bytes):
        boundary = "----caunoi" + secrets.token_hex(8)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                     f'Content-Type: application/pdf\r\n\r\n'.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.send("POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def get_on(self, path: str, wanted: str | None = None, other_than: str | None = None, tries: int = 6):
        """GET through the proxy until the named instance (or any but ``other_than``) answers."""
        for _ in range(tries):
            status, location, data = self.get(path)
            if (wanted and self.upstream == wanted) or (other_than and self.upstream != other_than):
                return status, location, data
        raise AssertionError(f"the proxy never sent {path} to {wanted or 'another instance'}")


def _hidden_fields(form_html: str) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form_html):
        if 'type="hidden"' in tag:
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name[1]] = value[1] if value else ""
    return fields


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    """The proxy's port and the two instances' addresses, all running against one PostgreSQL."""
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: apt-get install -y nginx-light")
    redis = os.environ.get("MULTIHOST_REDIS_URL", "redis://127.0.0.1:6379/7")
    try:
        import redis as redis_client

        redis_client.Redis.from_url(redis).flushdb()
    except Exception as error:  # noqa: BLE001 - any failure means no Redis to test with
        pytest.fail(f"Redis at {redis} is not reachable: {error}")
    proxy, port_a, port_b = (int(p) for p in os.environ.get("MULTIHOST_PORTS", "5107,5117,5127").split(","))
    tmp = tmp_path_factory.mktemp("multihost")
    os.chmod(tmp, 0o755)
    storage = tmp / "storage"
    storage.mkdir()
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "JOBS_DB")}
    base.update(FLASK_APP="wsgi.py", APP_ENV="development", SECRET_KEY="multihost-" + secrets.token_hex(16),
                DATABASE_URL=_database_url(), STORAGE_DIR=str(storage), REDIS_URL=redis, PROXY_FIX="1",
                JOBS_IMMEDIATE="0", PYTHONUNBUFFERED="1")
    envs = {name: {**base, "INSTANCE_PATH": str(tmp / name)} for name in ("a", "b", "worker")}
    for env in envs.values():
        Path(env["INSTANCE_PATH"]).mkdir()
    _flask(envs["a"], "db", "upgrade")
    _flask(envs["a"], "demo", "load")
    procs = []
    logs = []

    def start(name: str, argv: list[str]) -> subprocess.Popen:
        log = open(tmp / f"{name}.log", "w")
        logs.append(log)
        proc = subprocess.Popen(argv, cwd=ROOT, env=envs.get(name, base), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        procs.append(proc)
        return proc

    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    try:
        for name, port in (("a", port_a), ("b", port_b)):
            start(name, [gunicorn, "--workers", "1", "--threads", "2", "--bind", f"127.0.0.1:{port}",
                         "--timeout", "60", "--max-requests", "1000", "--max-requests-jitter", "200", "wsgi:app"])
        start("worker", [sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"])
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, a=port_a, b=port_b, proxy=proxy,
                                          user="user root;" if os.geteuid() == 0 else ""))
        nginx = start("nginx", [NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"])
        _wait_for(port_a, procs[0], "instance a")
        _wait_for(port_b, procs[1], "instance b")
        _wait_for(proxy, nginx, "nginx")
        yield {"proxy": proxy, "a": f"127.0.0.1:{port_a}", "b": f"127.0.0.1:{port_b}", "tmp": tmp,
               "worker": procs[2]}
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for log in logs:
            log.close()


def _login(browser: Browser, username: str) -> str:
    status, _location, page = browser.get("/login")
    assert status == 200
    fields = _hidden_fields(page.decode())
    status, location, _ = browser.post_form("/login", {**fields, "username": username, "password": PASSWORD})
    assert status == 302 and "/login" not in (location or ""), f"login of {username} answered {status}"
    return browser.upstream


def test_a_session_from_one_host_is_valid_on_the_other(hosts):
    browser = Browser(hosts["proxy"])
    started_on = _login(browser, "chodon")
    assert started_on in (hosts["a"], hosts["b"])
    seen = set()
    for _ in range(4):  # round robin: both instances answer
        status, location, page = browser.get("/home")
        assert status == 200, (status, location, browser.upstream)
        assert "chodon" in page.decode() or "Chợ Đồn" in page.decode()
        seen.add(browser.upstream)
    assert seen == {hosts["a"], hosts["b"]}


def test_evidence_uploaded_through_one_host_is_served_by_the_other(hosts):
    browser = Browser(hosts["proxy"])
    _login(browser, "chodon")
    _status, _location, listing = browser.get("/dialogues/commitments/")
    commitment_id = re.search(r'href="/dialogues/commitments/(\d+)"', listing.decode())[1]
    page_path = f"/dialogues/commitments/{commitment_id}"
    _status, _location, page = browser.get(page_path)
    form = re.search(r'<form[^>]*action="[^"]*/update"[^>]*>(.*?)</form>', page.decode(), re.S)
    assert form, "no update form on the commitment page"
    status, location, _ = browser.post_multipart(f"{page_path}/update",
                                                 {**_hidden_fields(form[1]), "note": "Ảnh hiện trường, nhiều máy chủ"},
                                                 "file", "minh-chung-multihost.pdf", EVIDENCE)
    uploaded_on = browser.upstream
    assert status == 302, f"the upload answered {status}"
    _status, _location, page = browser.get(page_path)
    file_path = re.findall(rf'href="({page_path}/files/\d+)"', page.decode())[-1]
    status, _location, data = browser.get_on(file_path, other_than=uploaded_on)
    assert status == 200 and data == EVIDENCE
    assert browser.upstream != uploaded_on


def test_a_job_queued_on_one_host_is_made_by_the_worker_and_served_by_both(hosts):
    browser = Browser(hosts["proxy"])
    _login(browser, "chodon")
    status, location, _ = browser.get("/indicators/report.pdf")
    assert status == 303 and "/jobs/" in location, (status, location)
    queued_on = browser.upstream
    job_path = urlsplit(location).path
    deadline = time.monotonic() + 60
    page = b""
    while time.monotonic() < deadline:
        assert hosts["worker"].poll() is None, (hosts["tmp"] / "worker.log").read_text()[-2000:]
        status, _location, page = browser.get(job_path)
        assert status == 200
        if "Tài liệu đã sẵn sàng".encode() in page or b"error" in page:
            break
        time.sleep(0.5)
    assert "Tài liệu đã sẵn sàng".encode() in page, page.decode()[-1500:]
    served = set()
    for _ in range(2):
        status, _location, data = browser.get(job_path + "/file")
        assert status == 200 and data.startswith(b"%PDF")
        served.add(browser.upstream)
    assert served == {hosts["a"], hosts["b"]} and queued_on in served
