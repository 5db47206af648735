"""The real parts of the production stack, started and stopped by the tests on 127.0.0.1:
Debian's nginx with the project's own site file (deploy/nginx/balie.conf.template), gunicorn
app nodes started with the command of deploy/balie.service, Debian's redis-server, and a
throwaway TLS certificate.
"""

from __future__ import annotations

import contextlib
import http.cookies
import os
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from balie.config import PROJECT_ROOT
from tests.support.databases import free_port

DEPLOY = PROJECT_ROOT / "deploy"
INSTALLED_ROOT = "/opt/balie"  # where the unit files expect the code
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
START_TIMEOUT = 180.0  # seconds: a busy 2-core machine may be slow, never wrong


def wait_until(check: Any, what: str, timeout: float = START_TIMEOUT, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def unit_commands(unit: str) -> list[list[str]]:
    """The ExecStart command lines of a unit in deploy/, for this checkout instead of /opt/balie."""
    commands = []
    for line in (DEPLOY / unit).read_text().splitlines():
        if line.startswith("ExecStart="):
            commands.append(shlex.split(line.removeprefix("ExecStart=").replace(INSTALLED_ROOT, str(PROJECT_ROOT))))
    assert commands, f"{unit} has no ExecStart"
    return commands


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class Certificate:
    certificate: Path
    key: Path


def tls_certificate(folder: Path) -> Certificate:
    """A throwaway self-signed certificate for 127.0.0.1 (valid two days)."""
    folder.mkdir(parents=True, exist_ok=True)
    found = Certificate(folder / "cert.pem", folder / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(found.key),
            "-out",
            str(found.certificate),
        ],
        check=True,
        capture_output=True,
    )
    return found


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            REDIS,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
            "--protected-mode",
            "yes",
        ]
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._pong, "redis-server answers PING")
        return self

    def _pong(self) -> bool:
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        self.process = None


@dataclass
class Node:
    """One app node: gunicorn (deploy/gunicorn.conf.py, 2 workers × 4 threads) as a process group."""

    name: str
    env: dict[str, str]
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.folder / "gunicorn.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> Node:
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {
            **self.env,
            "BALIE_BIND": f"127.0.0.1:{self.port}",
            "BALIE_SEARCH_INDEX_DIR": str(self.folder / "search"),
        }
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                unit_commands("balie.service")[0],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: "kill the node" kills master and workers
            )
        return self

    def wait_ready(self) -> None:
        def answers() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"node {self.name} stopped with {self.process.returncode}:\n{self.log()[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                return requests.get(self.url + "/", headers=forwarded("127.0.0.1:443"), timeout=60).status_code == 200
            return False

        wait_until(answers, f"node {self.name} answers", every=0.2)

    def kill(self) -> None:
        """kill -9 of the whole node (master and workers), as a power cut of that machine would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=60)


def forwarded(host: str, client: str = "192.0.2.10") -> dict[str, str]:
    """The headers nginx sets (deploy/nginx/balie.conf.template), for talking to a node directly."""
    return {"X-Forwarded-For": client, "X-Forwarded-Proto": "https", "X-Forwarded-Host": host, "Host": host}


class Nginx:
    """Debian's nginx with the project's site file, rendered by deploy/render-nginx."""

    def __init__(self, folder: Path, certificate: Certificate, upstreams: list[int]) -> None:
        self.folder = folder
        self.certificate = certificate
        self.upstreams = upstreams
        self.https_port = free_port()
        self.http_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.https_port}"

    def render(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "upstreams.conf").write_text(
            "".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in self.upstreams)
        )
        variables = {
            "BALIE_SERVER_NAME": "127.0.0.1",
            "BALIE_HTTP_PORT": str(self.http_port),
            "BALIE_HTTPS_PORT": str(self.https_port),
            "BALIE_TLS_CERTIFICATE": str(self.certificate.certificate),
            "BALIE_TLS_KEY": str(self.certificate.key),
            "BALIE_STATIC_DIR": str(PROJECT_ROOT / "static"),
            "BALIE_NGINX_UPSTREAMS": str(self.folder / "upstreams.conf"),
            "BALIE_NGINX_LOG_DIR": str(self.folder),
        }
        environment_file = self.folder / "nginx.env"
        environment_file.write_text("".join(f"{k}={v}\n" for k, v in variables.items()))
        rendered = subprocess.run(
            [str(DEPLOY / "render-nginx"), str(environment_file)],
            check=True,
            capture_output=True,
            text=True,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        ).stdout
        (self.folder / "balie.conf").write_text(rendered)
        return rendered

    def start(self) -> Nginx:
        self.render()
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the static files
        temp = self.folder / "temp"
        temp.mkdir(exist_ok=True)
        (self.folder / "nginx.conf").write_text(
            f"""{user}daemon off;
worker_processes 2;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.folder}/balie.conf;
}}
"""
        )
        test = subprocess.run(
            [
                NGINX,
                "-t",
                "-p",
                str(self.folder),
                "-c",
                str(self.folder / "nginx.conf"),
                "-e",
                str(self.folder / "error.log"),
            ],
            capture_output=True,
            text=True,
        )
        assert test.returncode == 0, test.stderr
        with open(self.folder / "nginx.out", "ab") as out:
            self.process = subprocess.Popen(
                [
                    NGINX,
                    "-p",
                    str(self.folder),
                    "-c",
                    str(self.folder / "nginx.conf"),
                    "-e",
                    str(self.folder / "error.log"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: port_open(self.https_port), "nginx listens")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=60)


def tls_context(certificate: Certificate) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate.certificate))


class NodeClient:
    """A browser-like client talking to one node directly, as nginx would forward it.

    The node's cookies are Secure (`__Host-`): a client library would not send them back over
    plain HTTP, so this client keeps them itself.
    """

    def __init__(self, node: Node, host: str, client_address: str = "192.0.2.10") -> None:
        self.node = node
        self.headers = forwarded(host, client_address)
        self.cookies: dict[str, str] = {}

    def _remember(self, response: requests.Response) -> None:
        for header in response.raw.headers.getlist("Set-Cookie"):
            parsed = http.cookies.SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(
        self, method: str, path: str, data: Mapping[str, Any] | list[tuple[str, str]] | None = None
    ) -> requests.Response:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method, self.node.url + path, data=data, headers=headers, allow_redirects=False, timeout=120
        )
        self._remember(response)
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def post(self, path: str, data: Mapping[str, Any] | list[tuple[str, str]]) -> requests.Response:
        return self.request("POST", path, data)
