"""Private Redis and PostgreSQL instances, and the service's own processes, for fault tests.

Fault tests stop, empty and restart the services they use, so they never use the shared ones
(Redis on 6379, PostgreSQL on 5432): each starts its own redis-server, or its own PostgreSQL
cluster in a temporary directory, on a free loopback port. The web (gunicorn), Celery workers
and beats are real processes started from the same code, as the Procfile starts them.
A missing binary fails the test in CI and skips it loudly elsewhere (tests/services.py).
"""

import contextlib
import dataclasses
import http.cookiejar
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

from tests.services import missing, subprocess_environment
from tests.smtp import LOOPBACK, free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGRES_USER = "postgres"  # the OS user initdb runs as when the tests run as root


def wait_until(predicate, what, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def redis_server_binary():
    binary = shutil.which("redis-server")
    if not binary:
        missing("redis-server", "it is not installed (apt-get install redis-server)")
    return binary


def postgres_binaries():
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        missing("PostgreSQL server binaries", f"initdb and pg_ctl are not in {PG_BIN}")
    for client in ("pg_dump", "psql"):
        if not shutil.which(client):
            missing("PostgreSQL client", f"{client} is not installed")
    return PG_BIN


# --- Redis ------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of the test's own, without persistence: a restart starts it empty."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process = None

    def url(self, db=0):
        return f"redis://{LOOPBACK}:{self.port}/{db}"

    def client(self):
        return redis.Redis(host=LOOPBACK, port=self.port, socket_connect_timeout=1)

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                LOOPBACK,
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.answers, "the private redis-server to answer", timeout=10)

    def answers(self):
        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart_empty(self):
        self.stop()
        self.start()
        assert self.client().dbsize() == 0


@contextlib.contextmanager
def private_redis():
    binary = redis_server_binary()
    with tempfile.TemporaryDirectory(prefix="pathway-redis-") as workdir:
        server = PrivateRedis(binary, workdir)
        server.start()
        try:
            yield server
        finally:
            server.stop()


# --- PostgreSQL -------------------------------------------------------------------------------


def _as_postgres_user(command):
    # initdb and the server refuse to run as root; CI and these machines run tests as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", POSTGRES_USER, "--", *command]
    return command


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary directory, listening on a free loopback port."""

    def __init__(self, bin_dir, root):
        self.bin_dir = bin_dir
        self.root = Path(root)
        self.data = self.root / "data"
        self.port = free_port()

    def url(self, name):
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{name}"

    def _run(self, *command):
        subprocess.run(
            _as_postgres_user([str(self.bin_dir / command[0]), *command[1:]]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
        )

    def initdb(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    def _pg_ctl(self, action, *extra):
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses={LOOPBACK} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            *extra,
            action,
        )

    def start(self):
        self._pg_ctl("start")

    def restart(self):
        # fast: every open connection of the web and the worker is cut, as in a real restart.
        self._pg_ctl("restart", "-m", "fast")

    def stop(self):
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._pg_ctl("stop", "-m", "immediate")

    def copy_database(self, source_url, name):
        """A new database here holding what `source_url` holds now (schema and rows)."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", source_url],
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", self.url(name)],
            input=dump.stdout,
            check=True,
            capture_output=True,
            timeout=60,
        )
        return self.url(name)


@contextlib.contextmanager
def private_postgres():
    bin_dir = postgres_binaries()
    root = tempfile.mkdtemp(prefix="pathway-pg-")
    if os.geteuid() == 0:
        shutil.chown(root, POSTGRES_USER, POSTGRES_USER)
    cluster = PrivatePostgres(bin_dir, root)
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


# --- The service's processes ------------------------------------------------------------------


def database_url(settings_dict):
    return (
        f"postgres://{settings_dict['USER'] or ''}:{settings_dict['PASSWORD'] or ''}"
        f"@{settings_dict['HOST'] or LOOPBACK}:{settings_dict['PORT'] or 5432}"
        f"/{settings_dict['NAME']}"
    )


class ServiceProcesses:
    """Starts web, worker and beat processes with one environment, and ends them all."""

    def __init__(self, workdir, **environment):
        self.workdir = Path(workdir)
        self.environment = environment
        self.processes = []

    def environment_for_subprocess(self):
        """The environment these processes run with, for a one-off command such as a sweep."""
        return subprocess_environment(**self.environment)

    def _start(self, *args, own_group=False):
        # Each process writes to its own log file, shown when a test fails (report()).
        log = open(self.workdir / f"{len(self.processes)}-{args[0]}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            env=self.environment_for_subprocess(),
            cwd=Path(__file__).resolve().parent.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            # A process group of its own, so kill_group() reaches its children and nothing else.
            start_new_session=own_group,
        )
        log.close()
        self.processes.append(process)
        return process

    def log(self, process):
        index = self.processes.index(process)
        [path] = self.workdir.glob(f"{index}-*.log")
        return path.read_text(errors="replace")

    def all_logs(self):
        return "\n".join(path.read_text(errors="replace") for path in self.workdir.glob("*.log"))

    def all_running(self):
        return all(process.poll() is None for process in self.processes)

    def report(self, lines=40):
        """The end of every process's log, for a failing test's output."""
        parts = []
        for path in sorted(self.workdir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def web(self):
        """gunicorn on a free port; returns its base URL once it answers."""
        port = free_port()
        self._start(
            "gunicorn",
            "pathway.wsgi",
            "--bind",
            f"{LOOPBACK}:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        )
        base = f"http://{LOOPBACK}:{port}"
        wait_until(lambda: _answers(base), "the web process to answer", timeout=90)
        return base

    def worker(self, pool="solo"):
        """A Celery worker: one process (solo), or the Procfile's prefork pool of
        CELERY_CONCURRENCY's default two child processes in a process group of its own."""
        pool_options = ["--pool=solo"] if pool == "solo" else ["--concurrency", "2"]
        return self._start(
            "celery",
            "-A",
            "pathway",
            "worker",
            *pool_options,
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            own_group=pool != "solo",
        )

    def beat(self, name="beat", loglevel="WARNING"):
        schedule = self.workdir / f"{name}-schedule"
        return self._start(
            "celery",
            "-A",
            "pathway",
            "beat",
            f"--loglevel={loglevel}",
            "--schedule",
            str(schedule),
        )

    def kill(self, process):
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def kill_group(self, process):
        """SIGKILL a process started with a group of its own and all its children at once, as
        a host or container dying takes a prefork worker: nobody is left to clean up."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _answers(base):
    try:
        Browser().get(f"{base}/sign-in/", timeout=2)
    except OSError:  # refused while gunicorn starts (URLError is an OSError)
        return False
    return True


@dataclasses.dataclass(frozen=True)
class Page:
    status_code: int
    url: str  # after redirects
    text: str


class Browser:
    """A cookie-keeping HTTP client from the standard library, following redirects as a
    browser does (a POST answered by a redirect continues as a GET)."""

    def __init__(self):
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)

    def get(self, url, timeout=10):
        return self._open(url, None, timeout)

    def post(self, url, data, timeout=10):
        return self._open(url, urlencode(data).encode(), timeout)

    def _open(self, url, data, timeout):
        # Only the test's own server on loopback is ever opened (hence the noqa below).
        if not url.startswith(f"http://{LOOPBACK}:"):
            raise ValueError(f"not the test's own server: {url}")
        request = urllib.request.Request(url, data=data)  # noqa: S310
        try:
            with self.opener.open(request, timeout=timeout) as response:  # noqa: S310
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read().decode(errors="replace"))


@contextlib.contextmanager
def service_processes(**environment):
    with tempfile.TemporaryDirectory(prefix="pathway-procs-") as workdir:
        processes = ServiceProcesses(workdir, **environment)
        try:
            yield processes
        except BaseException:
            print(processes.report())  # pytest shows it with the failure
            raise
        finally:
            processes.stop_all()
