"""
``honorcode-detect``: suspected harvester → master pairs in Open edX tracking logs, with no database and no Django.

    honorcode-detect LOG_OR_GLOB... [--course COURSE_ID] [--format json|csv|table] [--clickhouse DSN]
    honorcode-detect --aspects --clickhouse DSN [--course COURSE_ID] [--format ...]

Exit status: 0 when it ran (with or without pairs), 2 for bad arguments or logs it cannot read.
"""
import argparse
import csv
import json
import sys
import time

from honorcode_xblock.detection import cameo, engines, readers

FORMATS = ("json", "csv", "table")
CSV_HEADER = ["course_id", "harvester", "master", "score", "problems", "median_lag_seconds", "shared_ip_share"]
#: The thresholds the command takes as options (``--min-score`` for ``min_score``), with their help.
THRESHOLD_OPTIONS = {
    "window": "seconds from a reveal to a correct answer that count as copying",
    "min_problems": "fewest copied problems for a pair",
    "min_score": "lowest score: copies in the master's favour over chance",
    "min_score_apart": "lowest score of a pair whose accounts never shared an address",
    "max_median_lag": "longest median lag, seconds",
    "min_master_share": "smallest share of the master's correct answers copied",
    "min_harvester_share": "smallest share of the harvester's reveals that the master used",
    "min_coupled_share": "smallest share of copies coupled to their reveal: the master waited for it, or both accounts "
                         "went within {rapid} s of their previous reveal and answer",
}


def parser():
    """The command's arguments."""
    defaults = cameo.Thresholds()
    args = argparse.ArgumentParser(
        prog="honorcode-detect",
        description="Find suspected multiple-account cheating (a harvester account reveals answers that a master "
                    "account submits) in Open edX tracking logs: plain or gzip JSON lines, one file or many.")
    args.add_argument("logs", nargs="*", metavar="LOG_OR_GLOB", help="tracking log files or globs (*.gz too)")
    args.add_argument("--aspects", action="store_true",
                      help="read the xAPI events of Aspects' ClickHouse instead of logs (with --clickhouse)")
    args.add_argument("--aspects-events", default=readers.AspectsXapi.events_table, metavar="TABLE",
                      help=f"Aspects' parsed xAPI table ({readers.AspectsXapi.events_table})")
    args.add_argument("--aspects-users", default=readers.AspectsXapi.users_table, metavar="TABLE",
                      help=f"Aspects' users by xAPI id ({readers.AspectsXapi.users_table})")
    args.add_argument("--course", help="only this course (a course key)")
    args.add_argument("--format", choices=FORMATS, default="table", help="output (default: table)")
    args.add_argument("--clickhouse", metavar="DSN",
                      help="run on a ClickHouse server (clickhouse://user:password@host:8123/db): the paths are read "
                           "there; by default ClickHouse's engine runs in this process (chdb)")
    args.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                      help="report progress on standard error (default: when it is a terminal)")
    for name, text in THRESHOLD_OPTIONS.items():
        default = getattr(defaults, name)
        args.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default,
                          help=f"{text.format(rapid=defaults.rapid)} ({default})")
    return args


def main(argv=None, out=None):
    """Run the command; returns its exit status."""
    out = out or sys.stdout
    args = parser()
    options = args.parse_args(argv)
    if options.aspects == bool(options.logs):
        args.error("name tracking logs, or --aspects (not both)")
    if options.aspects and not options.clickhouse:
        args.error("--aspects reads a ClickHouse server: give its --clickhouse DSN")
    thresholds = cameo.Thresholds(**{name: getattr(options, name) for name in THRESHOLD_OPTIONS})
    try:
        engine = engines.ServerEngine(options.clickhouse) if options.clickhouse else engines.ChdbEngine()
    except engines.EngineUnavailable as error:
        print(f"honorcode-detect: {error}", file=sys.stderr)
        return 2
    progress = Progress(sys.stderr) if (options.progress if options.progress is not None
                                        else sys.stderr.isatty()) else None
    engine.watch(progress.read if progress else None)
    try:
        source = (readers.AspectsXapi(options.aspects_events, options.aspects_users) if options.aspects
                  else readers.TrackingLogs(options.logs))
        found = cameo.detect(engine, source, options.course, thresholds, stage=progress.stage if progress else None)
    except Exception as error:  # pylint: disable=broad-except  # the engine's own message says which file and why
        print(f"honorcode-detect: the events could not be read: {str(error).strip().splitlines()[0][:500]}",
              file=sys.stderr)
        return 2
    finally:
        engine.close()
    write(found, options.format, out)
    return 0


class Progress:
    """Progress of a long run on standard error: each stage, and the lines read at most once a second."""

    def __init__(self, stream, every=1.0):
        self.stream, self.every, self.started, self.last = stream, every, time.monotonic(), 0.0

    def stage(self, text):
        """A stage begins."""
        self.stream.write(f"honorcode-detect: {text} ({time.monotonic() - self.started:.1f} s)\n")
        self.stream.flush()

    def read(self, rows, size):
        """The engine has read ``rows`` rows, ``size`` bytes."""
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.stream.write(f"honorcode-detect: {rows:,} rows read, {size / 1e6:,.1f} MB "
                              f"({now - self.started:.1f} s)\n")
            self.stream.flush()


def write(found, output, out):
    """Print ``found`` as JSON (one object), CSV (a row per pair) or a table."""
    if output == "json":
        json.dump(found.as_dict(), out)
        out.write("\n")
        return
    rows = [[pair.course_id, pair.harvester, pair.master, pair.score, len(pair.problems), pair.median_lag_seconds,
             pair.shared_ip_share] for pair in found.pairs]
    if output == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        writer.writerows(rows)
        return
    widths = [max(len(str(cell)) for cell in column) for column in zip(CSV_HEADER, *rows)]
    for row in [CSV_HEADER, *rows]:
        out.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n")
    out.write(f"{len(found.pairs)} pair(s); {found.events_read} events read, {found.events_skipped} skipped\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
