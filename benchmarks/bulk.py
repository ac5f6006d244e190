"""What the MariaDB benchmarks share: where the server is, and learners who accepted, inserted in bulk SQL."""
import os
from contextlib import contextmanager


def server_settings():
    """Where the MariaDB server is, as the demo's settings read it."""
    return {
        "host": os.environ.get("HONORCODE_DB_HOST", "127.0.0.1"),
        "port": int(os.environ.get("HONORCODE_DB_PORT", "3306")),
        "user": os.environ.get("HONORCODE_DB_USER", "root"),
        "password": os.environ.get("HONORCODE_DB_PASSWORD", ""),
        "charset": "utf8mb4",
    }


@contextmanager
def bulk_loading(cursor):
    """No unique or foreign-key checks while seeding (the seed is consistent by construction); statistics after."""
    cursor.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0")
    yield
    cursor.execute("SET SESSION unique_checks = 1, foreign_key_checks = 1")
    cursor.execute("ANALYZE TABLE honorcode_acceptance, auth_user")
    cursor.fetchall()


def insert_learners_who_accepted(cursor, first, last, *, course, version_pk, terms_pk, block,
                                 method_sql="'explicit'"):
    """
    Learners ``learner<first>`` to ``learner<last>``, each with one acceptance in ``course``, from MariaDB's sequence
    engine (``seq_<first>_to_<last>``); ``method_sql`` is the SQL of each row's method (it may use ``s.seq``).
    """
    cursor.execute(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
        " is_active, date_joined)"
        " SELECT '!', 0, CONCAT('learner', seq), '', '', CONCAT('learner', seq, '@example.com'), 0, 1,"
        f" NOW(6) FROM seq_{first}_to_{last}"
    )
    cursor.execute(
        "INSERT INTO honorcode_acceptance (user_id, course_key, policy_version_id, course_terms_id, method,"
        " signature, accepted_at, block_id)"
        f" SELECT u.id, %s, %s, %s, {method_sql}, '',"
        " TIMESTAMPADD(MICROSECOND, s.seq * 1000003, '2026-01-05 08:00:00'), %s"
        f" FROM seq_{first}_to_{last} s JOIN auth_user u ON u.username = CONCAT('learner', s.seq)",
        [course, version_pk, terms_pk, block],
    )
