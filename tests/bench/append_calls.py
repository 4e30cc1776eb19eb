#!/usr/bin/env python3
"""Appends calls to a log at a steady rate, as a busy service would, for the live-tail
benchmark: each call's timestamp is the moment it was written (UTC, to the millisecond), so a
reader can tell how long a call took to show.

    append_calls.py LOG [--rate 5000] [--seconds 10] [--seed 2]

The calls are those make_call_log.py writes. Every 10 ms the calls due by then are appended
in one write, so that the log only ever grows by whole lines.
"""

import argparse
import datetime
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_call_log import call_line  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", help="the log to append to (created if missing)")
    parser.add_argument("--rate", type=int, default=5000, help="calls per second (default 5000)")
    parser.add_argument("--seconds", type=float, default=10, help="how long (default 10)")
    parser.add_argument("--seed", type=int, default=2, help="random seed (default 2)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    log = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    start = time.monotonic()
    written = 0
    total = int(args.rate * args.seconds)
    while written < total:
        due = min(total, int((time.monotonic() - start) * args.rate))
        if due > written:
            now = datetime.datetime.now(datetime.timezone.utc)
            stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)
            lines = []
            for index in range(written, due):
                line = call_line(rng, index)
                # The generated time is replaced by the moment of writing.
                begin = line.index('"timestamp": "') + len('"timestamp": "')
                end = line.index('"', begin)
                lines.append(line[:begin] + stamp + line[end:])
            os.write(log, ("\n".join(lines) + "\n").encode())
            written = due
        time.sleep(0.01)
    os.close(log)
    elapsed = time.monotonic() - start
    print("appended %d calls in %.2f s (%.0f per second)" % (written, elapsed, written / elapsed),
          file=sys.stderr)


if __name__ == "__main__":
    main()
