"""A throwaway PostgreSQL server for tests and benchmarks: its own folder, its own free port,
trust authentication on 127.0.0.1 only, durability switched off (nothing here must survive).

    cluster = Cluster(Path(tempfile.mkdtemp()))
    cluster.start()
    url = cluster.create_database("bot")  # postgresql+asyncpg://postgres@127.0.0.1:PORT/bot
    ...
    cluster.stop()

initdb refuses to run as root: as root the server runs as an unprivileged user (`postgres`, or
`nobody`) that owns the folder. A server left behind by a crashed run keeps its own folder and
port, so it never gets in the way; `reap_orphans()` stops those whose test process is gone.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
INSTALL_HINT = (
    "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found, and the tests need "
    "them to start a throwaway server. On Debian or Ubuntu: `apt-get install postgresql` "
    "(./dev.sh test does this itself when run as root)."
)
SUPERUSER = "postgres"
"""The database superuser the cluster is made with (whoever runs it)."""
PREFIX = "volnyja-pg-"
"""How our throwaway folders in the temp folder are named (see `temporary_directory`)."""
OWNER_FILE = "owner.pid"
TEST_SETTINGS = (
    "listen_addresses = '127.0.0.1'",
    "fsync = off",
    "full_page_writes = off",
    "synchronous_commit = off",
    "max_connections = 200",
    "shared_buffers = 32MB",
)
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresError(RuntimeError):
    """The throwaway server could not be found, started or used."""


def find_binaries() -> Path | None:
    """The folder with initdb, pg_ctl and postgres: the one on PATH, else Debian's newest."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)  # Debian links only some to PATH
    installed = Path("/usr/lib/postgresql").glob("*/bin")
    candidates.extend(sorted(installed, key=_version, reverse=True))
    for folder in candidates:
        if all(os.access(folder / program, os.X_OK) for program in SERVER_PROGRAMS):
            return folder
    return None


def _version(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name)) or (0,)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def temporary_directory() -> Path:
    """A new folder in the temp folder that an unprivileged server user can reach."""
    directory = Path(tempfile.mkdtemp(prefix=PREFIX))
    directory.chmod(0o755)
    return directory


class Cluster:
    """One PostgreSQL server in `directory` (its data, socket and log live there)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "server.log"
        self.port = 0
        self.user = SUPERUSER
        binaries = find_binaries()
        if binaries is None:
            raise PostgresError(INSTALL_HINT)
        self.binaries = binaries
        self._run_as = _unprivileged_user() if os.geteuid() == 0 else None

    @property
    def admin_url(self) -> str:
        """The maintenance database, for creating and dropping the others."""
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """initdb, then pg_ctl start on a free port (another port if that one was just taken)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / OWNER_FILE).write_text(str(os.getpid()))
        if self._run_as is not None:
            _chown_tree(self.directory, self._run_as)
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        for _attempt in range(3):
            self.port = free_port()
            started = self._server(
                "start", "-w", "-t", "60", "-l", str(self.log), "-o", f"-p {self.port}", check=False
            )
            if started.returncode == 0:
                return
        msg = f"PostgreSQL did not start; its log: {self.log}\n{_tail(self.log)}"
        raise PostgresError(msg)

    def stop(self) -> None:
        """Stop the server at once (nothing in it needs to be kept)."""
        if (self.data / "postmaster.pid").exists():
            self._server("stop", "-m", "immediate", "-w", check=False)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template`, if given); its URL."""
        statement = f'CREATE DATABASE "{_checked(name)}"'
        if template is not None:
            statement += f' TEMPLATE "{_checked(template)}"'
        self.psql(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql as the superuser; what it printed (unaligned, tuples only)."""
        psql = self.binaries / "psql"
        command = [str(psql), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", database]
        done = subprocess.run([*command, "-c", sql], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            msg = f"psql failed: {done.stderr.strip()}"
            raise PostgresError(msg)
        return done.stdout

    def _initdb(self) -> None:
        self._run(
            str(self.binaries / "initdb"),
            "-D", str(self.data),
            f"--username={self.user}",
            "--auth=trust",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip
        settings = "\n".join((*TEST_SETTINGS, f"unix_socket_directories = '{self.directory}'"))
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\n# volnyja-bot tests\n{settings}\n")

    def _server(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        pg_ctl = str(self.binaries / "pg_ctl")
        return self._run(pg_ctl, "-D", str(self.data), *arguments, check=check)

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = [] if self._run_as is None else _as_user(self._run_as)
        done = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=False, cwd=self.directory
        )
        if check and done.returncode != 0:
            msg = f"{Path(command[0]).name} failed: {done.stdout}{done.stderr}"
            raise PostgresError(msg)
        return done


@contextlib.contextmanager
def throwaway() -> Iterator[Cluster]:
    """A started cluster in a new temp folder, stopped and removed afterwards."""
    reap_orphans()
    cluster = Cluster(temporary_directory())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.directory, ignore_errors=True)


def reap_orphans() -> None:
    """Stop and remove our throwaway clusters whose test process has died (a crashed run)."""
    for directory in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError, ValueError, PostgresError):
            owner = int((directory / OWNER_FILE).read_text())
            if _alive(owner):
                continue
            Cluster(directory).stop()
            shutil.rmtree(directory, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _unprivileged_user() -> pwd.struct_passwd:
    for name in (SUPERUSER, "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    msg = "running as root, and there is no `postgres` or `nobody` user to run PostgreSQL as"
    raise PostgresError(msg)


def _as_user(user: pwd.struct_passwd) -> list[str]:
    if shutil.which("runuser"):
        return ["runuser", "-u", user.pw_name, "--"]
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--"]


def _chown_tree(directory: Path, user: pwd.struct_passwd) -> None:
    os.chown(directory, user.pw_uid, user.pw_gid)
    for path in directory.rglob("*"):
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)


def _checked(name: str) -> str:
    if not _NAME.match(name):
        msg = f"not a plain database name: {name!r}"
        raise PostgresError(msg)
    return name


def _tail(path: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""
