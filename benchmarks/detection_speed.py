"""
Detection speed: ``honorcode-detect`` end to end on a gzip tracking log, against ``gunzip -c`` of the same file to
/dev/null, side by side in one run.

The log is a synthetic course written by ``detection_data.py`` (Open edX's server and browser events in a realistic
mix, with planted harvester → master pairs), cached under ``--data-dir`` by size and seed, or a log of your own
(``--log``). Each round runs both commands as child processes of their own, alternating, so that each one's wall
time and peak memory (``ru_maxrss`` from ``wait4``) are its own; ``honorcode-detect`` counts its whole start-up (the
interpreter, chdb, the session). Prints each command's median wall time and peak memory, and the ratio of the
medians (detect / gunzip), with its target: at most 1.5 below 10 million events (start-up counts), at most 1 from
10 million on (from 9 million events read).

It also checks that the answer is one answer: the same log split into several gzip files, named by a glob, gives
the same pairs, events read and skipped; and, for a generated log, that the planted pairs were found.

    python benchmarks/detection_speed.py [--events 300000] [--seed 1] [--rounds 3] [--data-dir /tmp/honorcode-detect]
    python benchmarks/detection_speed.py --events 10000000 --rounds 1
    python benchmarks/detection_speed.py --log /var/log/tracking/tracking.log-20261201.gz

Needs ``pip install -e '.[detection]'`` (chdb). Exits with 3 when a figure is outside its target.
"""
import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import detection_data  # noqa: E402  pylint: disable=wrong-import-position

#: The ratio detect / gunzip to stay within: start-up counts on small logs.
SMALL_TARGET, LARGE_TARGET, LARGE = 1.5, 1.0, 9_000_000


def detect_command():
    """``honorcode-detect`` as installed beside this interpreter (the console script), or its module."""
    script = Path(sys.executable).parent / "honorcode-detect"
    return [str(script)] if script.exists() else [sys.executable, "-m", "honorcode_xblock.detection.cli"]


def measured(command):
    """
    Run ``command`` with its output to /dev/null; its wall time in seconds and its peak memory in MB. The peak is
    GNU time's ``%M`` where ``/usr/bin/time`` is installed (a child of that small process: its own peak only), else
    ``ru_maxrss`` from ``wait4`` (which counts this interpreter's memory that the child inherited before ``exec``).
    """
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        timed = ["/usr/bin/time", "-f", "%M", "-o", peak.name, *command] if os.access("/usr/bin/time", os.X_OK) \
            else command
        started = time.perf_counter()
        child = subprocess.Popen(timed, stdout=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                 stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        error = child.stderr.read().decode(errors="replace")
        child.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"{' '.join(command)} failed ({code}): {error.strip()[:2000]}")
        reported = peak.read().strip().splitlines()
    kilobytes = int(reported[-1]) if timed is not command and reported else usage.ru_maxrss
    return elapsed, kilobytes / 1024


def the_log(options):
    """The gzip log to measure, and the pairs planted in it (None for a log of one's own)."""
    if options.log:
        return Path(options.log), None
    folder = Path(options.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"course-{options.events}-{options.seed}.log.gz"
    truth_path = path.with_suffix(".truth.json")
    if not (path.exists() and truth_path.exists()):
        started = time.perf_counter()
        partial = path.with_name("partial-" + path.name)  # gzip by its name
        truth = detection_data.write_course(str(partial), events=options.events, seed=options.seed)
        os.replace(partial, path)
        truth_path.write_text(json.dumps(sorted(list(pair) for pair in truth.pairs)), encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return path, {tuple(pair) for pair in json.loads(truth_path.read_text(encoding="utf-8"))}


def split(path, folder, parts):
    """The lines of ``path`` dealt into ``parts`` gzip files in ``folder``, in turn; their glob."""
    outs = [gzip.open(folder / f"part-{index}.log.gz", "wt", compresslevel=1, encoding="utf-8")
            for index in range(parts)]
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                outs[number % parts].write(line)
    finally:
        for out in outs:
            out.close()
    return str(folder / "part-*.log.gz")


def answer(command, logs):
    """What ``honorcode-detect --format json`` prints for ``logs``."""
    result = subprocess.run([*command, *logs, "--format", "json", "--no-progress"], capture_output=True, check=True)
    return json.loads(result.stdout)


def main():
    args = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    args.add_argument("--events", type=int, default=300_000, help="events in the generated log (300000)")
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--rounds", type=int, default=3)
    args.add_argument("--parts", type=int, default=4, help="files the one-answer check splits the log into (4)")
    args.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "honorcode-detect"),
                      help="where generated logs are kept between runs")
    args.add_argument("--log", help="measure this gzip tracking log instead of a generated one")
    options = args.parse_args()
    if not shutil.which("gunzip"):
        raise SystemExit("gunzip is needed to compare with")

    command = detect_command()
    path, planted = the_log(options)
    size = path.stat().st_size
    whole = answer(command, [str(path)])
    events = whole["events_read"]
    print(f"log: {path} ({size / 1e6:.1f} MB gzip), {events:,} events, {events - whole['events_skipped']:,} "
          f"problem events; {len(whole['pairs'])} pair(s) found")

    detect_times, gunzip_times, detect_memory, gunzip_memory = [], [], [], []
    for round_number in range(options.rounds):
        elapsed, memory = measured(["gunzip", "-c", str(path)])
        gunzip_times.append(elapsed)
        gunzip_memory.append(memory)
        elapsed, memory = measured([*command, str(path), "--format", "json", "--no-progress"])
        detect_times.append(elapsed)
        detect_memory.append(memory)
        print(f"round {round_number + 1}: gunzip {gunzip_times[-1]:.3f} s, honorcode-detect {detect_times[-1]:.3f} s, "
              f"ratio {detect_times[-1] / gunzip_times[-1]:.2f}")

    ratio = statistics.median(detect_times) / statistics.median(gunzip_times)
    target = LARGE_TARGET if events >= LARGE else SMALL_TARGET
    print(f"gunzip -c > /dev/null:  median {statistics.median(gunzip_times):.3f} s, "
          f"peak memory {max(gunzip_memory):.0f} MB")
    print(f"honorcode-detect:       median {statistics.median(detect_times):.3f} s, "
          f"peak memory {max(detect_memory):.0f} MB, {events / statistics.median(detect_times) / 1e6:.2f} M events/s")
    print(f"ratio detect / gunzip:  {ratio:.2f} (target <= {target})")

    problems = []
    if ratio > target:
        problems.append(f"ratio {ratio:.2f} > {target}")
    with tempfile.TemporaryDirectory(prefix="honorcode-split-") as folder:
        parts = answer(command, [split(path, Path(folder), options.parts)])
    same = parts == whole
    print(f"one answer: {options.parts} files by a glob give the same pairs and counts as one file: {same}")
    if not same:
        problems.append("the split log gave another answer")
    if planted is not None:
        found = {(pair["course_id"], pair["harvester"], pair["master"]) for pair in whole["pairs"]}
        hits = len(found & planted)
        print(f"planted pairs found: {hits} of {len(planted)}; reported pairs not planted: {len(found - planted)}")
    if problems:
        print("outside targets: " + "; ".join(problems))
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
