"""
Reading a large query in pages with flat memory, as the acceptance export does: on MySQL/MariaDB through an
unbuffered cursor that survives a statement time limit and a lost connection; elsewhere through Django's chunked
iterator. Also the database-side ISO 8601 formatting of a timestamp column, so that rows need no Python per cell.

Query sets in :mod:`honorcode_xblock.models` use it (``AcceptanceQuerySet.export_pages``); it knows no model.
"""
from contextlib import closing
from itertools import islice

from django.db import OperationalError, connections, models


class IsoTimestamp(models.Func):
    """
    A UTC timestamp column as the ISO 8601 text ``datetime.isoformat`` gives for it (``2026-01-31T12:34:56.123456+00:00``,
    without the fraction when it is zero), formatted by the database: MySQL/MariaDB and SQLite, the two it runs on.
    """

    output_field = models.CharField()
    arity = 1

    def as_mysql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=(
            "CONCAT(DATE_FORMAT(%(expressions)s, IF(MICROSECOND(%(expressions)s) = 0, '%%%%Y-%%%%m-%%%%dT%%%%H:%%%%i:%%%%s', "
            "'%%%%Y-%%%%m-%%%%dT%%%%H:%%%%i:%%%%s.%%%%f')), '+00:00')"
        ), **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores a datetime as its str() in UTC: the date, a space, the time, the fraction unless it is zero
        return self.as_sql(compiler, connection, template="REPLACE(%(expressions)s, ' ', 'T') || '+00:00'",
                           **extra_context)


#: MySQL client errors of a connection lost mid-query (CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED):
#: after one, a read in primary-key order can go on from its last row on a new connection.
LOST_CONNECTION_ERRORS = (2006, 2013, 2055)
#: Server errors of a statement stopped at its time limit (MariaDB's ER_STATEMENT_TIMEOUT, MySQL's ER_QUERY_TIMEOUT):
#: the connection and its transaction go on, and so can the read, from its last row.
STATEMENT_TIMEOUT_ERRORS = (1969, 3024)


def unbuffered_pages(queryset, size, indexes=(), statement_seconds=None):
    """
    The rows of ``queryset`` (MySQL/MariaDB; its first column the primary key, in primary-key order) in pages of at
    most ``size``, through an unbuffered cursor (``MySQLdb.cursors.SSCursor``): the server sends the rows as the
    client reads them, so the client never holds more than a page, and the server's work runs while the client
    handles the page before. The cursor is Django's (query logging and execute wrappers apply) on the queryset's
    connection, which serves only it until the pages are read to the end or closed. The rows are the database's, not
    passed through the fields' ``from_db_value``.

    A read is one statement as long as it lasts, which holds the tables' metadata locks (a migration altering them
    waits, and the queries after it with it). ``statement_seconds`` caps each statement's time (MariaDB's
    ``max_statement_time``, MySQL's ``MAX_EXECUTION_TIME``): the server stops it, and the read goes on from its last
    row with a new statement. The server also ends a statement whose client stops reading for longer than its
    ``net_write_timeout`` (a download that stalls), and the connection with it: outside a transaction, the read goes
    on as well, on a new connection. Either way only while each attempt gets further than the one before.

    Closed before its end (a client gone mid-download), it closes the connection outside a transaction, which ends the
    statement at once; inside one, the cursor reads and drops the rows left.

    ``indexes``: the only indexes of the queryset's table MySQL may read it by (``FORCE INDEX``; Django's ORM has no
    index hints).
    """
    connection = connections[queryset.db]
    after = None
    while True:
        rows = queryset if after is None else queryset.filter(pk__gt=after)
        resumed_from = after
        try:
            with closing(_one_unbuffered_query(connection, rows, size, indexes, statement_seconds)) as pages:
                try:
                    for page in pages:
                        after = page[-1][0]
                        yield page
                except GeneratorExit:
                    if not connection.in_atomic_block:
                        connection.close()  # before the cursor closes: it would read every row left
                    raise
            return
        except OperationalError as error:
            lost = error.args[0] in LOST_CONNECTION_ERRORS and not connection.in_atomic_block
            if not (lost or error.args[0] in STATEMENT_TIMEOUT_ERRORS) or after == resumed_from:
                raise
            if lost:
                connection.close()  # the next query opens a new one


def _one_unbuffered_query(connection, queryset, size, indexes=(), statement_seconds=None):
    """The rows of one query on an unbuffered cursor of ``connection``, in pages of at most ``size``."""
    from django.db.backends.mysql.base import CursorWrapper  # pylint: disable=import-outside-toplevel
    from MySQLdb.cursors import SSCursor  # pylint: disable=import-outside-toplevel

    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    if indexes:
        table = f"FROM {connection.ops.quote_name(queryset.model._meta.db_table)}"
        if sql.count(table) != 1:
            raise ValueError(f"No single table to give index hints to in: {sql}")
        sql = sql.replace(table, f"{table} FORCE INDEX ({', '.join(indexes)})")
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if statement_seconds:
        if connection.mysql_is_mariadb:
            sql = f"SET STATEMENT max_statement_time = {float(statement_seconds)} FOR {sql}"
        else:
            sql = sql.replace("SELECT ", f"SELECT /*+ MAX_EXECUTION_TIME({int(statement_seconds * 1000)}) */ ", 1)
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        unbuffered = CursorWrapper(connection.connection.cursor(SSCursor))
    with (connection.make_debug_cursor if connection.queries_logged else connection.make_cursor)(unbuffered) as cursor:
        cursor.execute(sql, params)
        while page := cursor.fetchmany(size):
            yield page


def pages_of(rows, size):
    """The rows of an iterator in pages (lists) of at most ``size``."""
    while page := list(islice(rows, size)):
        yield page
