#!/usr/bin/env python3
"""Times `opsbench-cli stats` against other ways of getting the same six figures out of one
call log, on the same file in one run, and prints a markdown table.

    run_stats_bench.py [--cli PATH] [--lines N] [--file LOG] [--runs 3]

The six figures: valid calls, malformed lines, total cost, mean latency, p99 latency (nearest
rank) and cache hit rate (cache reads over all prompt tokens). Every tool's figures must
match ours to the printed digit, or the script says which differ and exits 1. Each tool runs
--runs times on a warm page cache; the table shows the median wall time and the largest
peak RSS that /usr/bin/time -v reported. A tool that is not installed is skipped, with a note.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Each program reads the log and prints the six figures as one JSON object. A line counts as a
# call when it is a JSON object with model a string, the token counts whole numbers and
# latency_ms and cost_usd numbers, which is what makes a generated line valid for opsbench too.
PYTHON_PROGRAM = r'''
import json, math, sys
valid = malformed = cache_read = prompt = 0
costs, latencies = [], []
def count(record, key):
    value = record.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            malformed += 1
            continue
        if not isinstance(record, dict) or not isinstance(record.get("model"), str):
            malformed += 1
            continue
        tokens = [count(record, k) for k in ("input_tokens", "output_tokens",
                  "cache_read_input_tokens", "cache_creation_input_tokens")]
        latency, cost = record.get("latency_ms"), record.get("cost_usd")
        if ("input_tokens" not in record or "output_tokens" not in record or None in tokens
                or not isinstance(latency, (int, float)) or isinstance(latency, bool)
                or not isinstance(cost, (int, float)) or isinstance(cost, bool)):
            malformed += 1
            continue
        valid += 1
        costs.append(cost)
        latencies.append(latency)
        cache_read += tokens[2]
        prompt += tokens[0] + tokens[2] + tokens[3]
latencies.sort()
print(json.dumps({"valid": valid, "malformed": malformed, "cost": math.fsum(costs),
                  "mean": math.fsum(latencies) / valid,
                  "p99": latencies[math.ceil(valid * 99 / 100) - 1],
                  "hit": cache_read / prompt}))
'''

# Collected into one array first: growing an accumulator inside reduce copies it on every
# line in jq 1.6, which never finishes on a million lines.
JQ_PROGRAM = r'''
def isCount: type == "number" and . == floor;
[inputs | select(test("\\S")) | (try fromjson catch null)
 | if type == "object" and (.model | type) == "string"
      and (.input_tokens | isCount) and (.output_tokens | isCount)
      and ((.cache_read_input_tokens // 0) | isCount)
      and ((.cache_creation_input_tokens // 0) | isCount)
      and (.latency_ms | type) == "number" and (.cost_usd | type) == "number"
   then [.cost_usd, .latency_ms, (.cache_read_input_tokens // 0),
         .input_tokens + (.cache_read_input_tokens // 0) + (.cache_creation_input_tokens // 0)]
   else null end]
| map(select(. != null)) as $calls
| ($calls | length) as $valid
| ($calls | map(.[1]) | sort) as $sorted
| {valid: $valid, malformed: (length - $valid), cost: ($calls | map(.[0]) | add),
   mean: (($sorted | add) / $valid), p99: $sorted[(($valid * 99 / 100) | ceil) - 1],
   hit: (($calls | map(.[2]) | add) / ($calls | map(.[3]) | add))}
'''

LNAV_FORMAT = {
    "$schema": "https://lnav.org/schemas/format-v1.schema.json",
    "opsbench_calls": {
        "title": "Opsbench call log",
        "description": "One LLM call per line, as opsbench writes llm_calls.jsonl.",
        "json": True,
        "file-pattern": "\\.jsonl$",
        "timestamp-field": "timestamp",
        "body-field": "request_id",
        "value": {
            "request_id": {"kind": "string"},
            "model": {"kind": "string", "identifier": True},
            "feature": {"kind": "string", "identifier": True},
            "input_tokens": {"kind": "integer"},
            "output_tokens": {"kind": "integer"},
            "cache_read_input_tokens": {"kind": "integer"},
            "cache_creation_input_tokens": {"kind": "integer"},
            "cost_usd": {"kind": "float"},
            "latency_ms": {"kind": "integer"},
        },
    },
}

LNAV_VALID = ("typeof(model) = 'text' AND typeof(input_tokens) = 'integer' "
              "AND typeof(output_tokens) = 'integer' AND latency_ms IS NOT NULL "
              "AND cost_usd IS NOT NULL")
LNAV_QUERY = (
    "WITH calls AS (SELECT * FROM opsbench_calls WHERE " + LNAV_VALID + "), "
    "n AS (SELECT count(*) AS valid FROM calls) "
    "SELECT n.valid AS valid, (SELECT count(*) FROM opsbench_calls) - n.valid AS malformed, "
    "printf('%.9f', (SELECT sum(cost_usd) FROM calls)) AS cost, "
    "printf('%.9f', (SELECT avg(latency_ms) FROM calls)) AS mean, "
    "(SELECT latency_ms FROM calls ORDER BY latency_ms "
    " LIMIT 1 OFFSET (SELECT (count(*) * 99 + 99) / 100 - 1 FROM calls)) AS p99, "
    "printf('%.9f', (SELECT 1.0 * sum(cache_read_input_tokens) / sum(input_tokens "
    " + cache_read_input_tokens + cache_creation_input_tokens) FROM calls)) AS hit FROM n")


def figures_text(f):
    """The six figures as printed, to compare tools digit by digit."""
    return "%d valid, %d malformed, cost %.6f, mean %.3f ms, p99 %.0f ms, hit %.6f" % (
        int(f["valid"]), int(f["malformed"]), float(f["cost"]), float(f["mean"]),
        float(f["p99"]), float(f["hit"]))


def from_opsbench(out):
    s = json.loads(out)
    return {"valid": s["records"], "malformed": s["malformed_lines"], "cost": s["total_cost_usd"],
            "mean": s["avg_latency_ms"], "p99": s["p99_latency_ms"], "hit": s["cache_hit_rate"]}


def from_lnav(out):
    # The last two lines are a header and a row of columns separated by spaces.
    rows = [line.split() for line in out.strip().splitlines()]
    header, values = rows[-2], rows[-1]
    return dict(zip(header, values))


def timed(argv, env=None, keep_output=True):
    """Runs argv under /usr/bin/time -v; returns (seconds, peak RSS in KiB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        run = subprocess.run(["/usr/bin/time", "-v", "-o", report.name] + argv, env=env,
                             stdout=subprocess.PIPE if keep_output else subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit("%s failed (%d): %s" % (argv[0], run.returncode, run.stderr[-2000:]))
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read())[1])
    return seconds, rss, run.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=os.path.join(REPO, "build/ci/app/cli/opsbench-cli"))
    parser.add_argument("--plain",
                        default=os.path.join(REPO, "build/ci/tests/bench/plain_simdjson_loop"),
                        help="the plain simdjson loop to compare with (built with the tests)")
    parser.add_argument("--lines", type=int, default=1_000_000,
                        help="lines of the generated log (default 1,000,000)")
    parser.add_argument("--file", help="benchmark this log instead of generating one")
    parser.add_argument("--runs", type=int, default=3, help="runs per tool (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the generated log")
    args = parser.parse_args()

    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("/usr/bin/time is missing: apt-get install time")
    work = tempfile.mkdtemp(prefix="opsbench-bench-")
    log = args.file
    if not log:
        log = os.path.join(work, "calls.jsonl")
        subprocess.run([sys.executable, os.path.join(HERE, "make_call_log.py"),
                        str(args.lines), log, "--seed", "1", "--bad-every", "50000"], check=True)
    size = os.path.getsize(log)

    lnav_home = os.path.join(work, "lnav-home")
    tools = [
        ("`opsbench-cli stats --json`", [args.cli, "stats", "--json", log], from_opsbench, None),
        ("`opsbench-cli stats --json --threads 1`",
         [args.cli, "stats", "--json", "--threads", "1", log], from_opsbench, None),
        ("a plain single-threaded simdjson loop (`plain_simdjson_loop`)", [args.plain, log],
         json.loads, None),
        ("`cat > /dev/null`", ["cat", log], None, None),
        ("Python 3 `json.loads` per line", [sys.executable, "-c", PYTHON_PROGRAM, log],
         json.loads, None),
        ("jq", ["jq", "-R", "-n", "-c", JQ_PROGRAM, log], json.loads, None),
        ("lnav, headless SQL", ["lnav", "-n", "-c", ";" + LNAV_QUERY, log], from_lnav,
         dict(os.environ, HOME=lnav_home)),
    ]
    if shutil.which("lnav"):
        os.makedirs(lnav_home, exist_ok=True)
        with open(os.path.join(work, "opsbench_calls.json"), "w") as fmt:
            json.dump(LNAV_FORMAT, fmt)
        subprocess.run(["lnav", "-i", fmt.name], env=tools[-1][3], check=True,
                       stdout=subprocess.DEVNULL)

    subprocess.run(["cat", log], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    results = []
    notes = []
    for name, argv, parse, env in tools:
        if not shutil.which(argv[0]):
            notes.append("%s skipped: `%s` is not installed." % (name, argv[0]))
            continue
        runs = [timed(argv, env, parse is not None) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        text = figures_text(parse(runs[0][2])) if parse else None
        results.append((name, seconds, rss, text))
        print("%-45s %7.3f s %8.1f MiB  %s" % (name, seconds, rss / 1024, text or ""),
              file=sys.stderr)

    ours = results[0]
    disagree = [r for r in results if r[3] and r[3] != ours[3]]
    print("\nLog: %s, %s bytes (%.0f MB). Median of %d runs, warm page cache.\n" % (
        log, format(size, ","), size / 1e6, args.runs))
    print("Figures: " + ours[3] + "\n")
    print("| tool | seconds | MB/s | peak RSS | time vs opsbench | RSS vs opsbench | figures |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, seconds, rss, text in results:
        agree = "—" if text is None else ("same" if text == ours[3] else "DIFFER: " + text)
        print("| %s | %.3f | %s | %.0f MiB | %.1fx | %.1fx | %s |" % (
            name, seconds, format(round(size / 1e6 / seconds), ","), rss / 1024,
            seconds / ours[1], rss / ours[2], agree))
    for note in notes:
        print("\n" + note)
    if not args.file and not args.keep:
        os.remove(log)
    shutil.rmtree(work, ignore_errors=not args.keep)
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
