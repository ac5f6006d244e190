"""
Where the detection's SQL runs: ClickHouse's engine in-process (``chdb``, the default, for files on this machine) or a
ClickHouse server (``clickhouse-connect``, for sites whose events outgrow one machine). Both take the same SQL and
give rows as dicts; each keeps one session, so that the tables a run creates last until it closes.
"""
import json
import tempfile

#: How the engine in this process reads a log file (ClickHouse's ``storage_file_read_method``): ``read``, so that the
#: memory a run takes does not grow with the file (its default, ``mmap``, maps the whole file into the process).
FILE_READ_METHOD = "read"

#: chdb runs one embedded ClickHouse per process, on one folder: every ``ChdbEngine`` of the process shares it.
_CHDB_FOLDER = None


class EngineUnavailable(RuntimeError):
    """The engine's client library is not installed (``pip install honorcode-xblock[detection]``)."""


class ChdbEngine:
    """ClickHouse's engine in this process, on a session of the process's one embedded server (a temporary folder)."""

    name = "chdb"

    def __init__(self):
        global _CHDB_FOLDER  # pylint: disable=global-statement
        try:
            from chdb import session  # pylint: disable=import-outside-toplevel
        except ImportError as error:
            raise EngineUnavailable(
                "chdb is not installed: pip install 'honorcode-xblock[detection]'") from error
        if _CHDB_FOLDER is None:
            _CHDB_FOLDER = tempfile.TemporaryDirectory(prefix="honorcode-detect-")  # removed when the process ends
        self._session = session.Session(_CHDB_FOLDER.name)
        # files are read, not mapped: a mapped log counts whole in this process's memory, however large
        self._session.query(f"SET storage_file_read_method = '{FILE_READ_METHOD}'")

    def watch(self, callback):
        """
        Call ``callback(read_rows, read_bytes)`` as the engine reads (chdb's progress callback, which its
        connection offers; None stops it).
        """
        connection = getattr(self._session, "_conn", None)
        if connection is None or not hasattr(connection, "set_progress_callback"):
            return
        connection.set_progress_callback(None if callback is None else lambda payload: callback(
            int(payload.get("read_rows", 0)), int(payload.get("read_bytes", 0))))

    def execute(self, sql):
        """Run a statement that returns no rows."""
        self._session.query(sql)

    def rows(self, sql):
        """The rows of a query, as dicts."""
        result = self._session.query(sql, "JSONEachRow")
        text = result.data() if hasattr(result, "data") else str(result)
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def close(self):
        """End the session."""
        self._session.close()


class ServerEngine:
    """A ClickHouse server, through ``clickhouse-connect``, on one session."""

    name = "clickhouse"

    def __init__(self, dsn):
        try:
            import clickhouse_connect  # pylint: disable=import-outside-toplevel
        except ImportError as error:
            raise EngineUnavailable(
                "clickhouse-connect is not installed: pip install 'honorcode-xblock[detection]'") from error
        self._client = clickhouse_connect.get_client(dsn=dsn, autogenerate_session_id=True)

    def watch(self, callback):  # pylint: disable=unused-argument
        """The server reports no progress to this client: the command reports its stages only."""

    def execute(self, sql):
        """Run a statement that returns no rows."""
        self._client.command(sql)

    def rows(self, sql):
        """The rows of a query, as dicts."""
        return list(self._client.query(sql).named_results())

    def close(self):
        """Close the connection."""
        self._client.close()
