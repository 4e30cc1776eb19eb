#!/usr/bin/env python3
"""Writes a synthetic call log (llm_calls.jsonl) for benchmarks: the same arguments always
give the same bytes.

    make_call_log.py LINES OUT.jsonl [--seed S] [--bad-every K] [--torn-tail]

Each line is one call as Opsbench's writer lays it out: the required keys in their fixed
order, a model drawn from three tiers with their list prices, a feature that decides the
prompt size and how much of it is read from the cache, log-normal latencies with a heavy
tail that grow with the output, and cost_usd computed from the tokens. Every K-th line is
broken in one of a few ways a real log gets broken (cut short, not an object, a wrong type,
a required key missing); --torn-tail ends the file in half a line with no newline, as a
writer caught mid-append leaves it.
"""

import argparse
import json
import math
import random
import sys
import uuid

# model id: (input, output, cache write 5m, cache read) in USD per million tokens.
MODELS = {
    "claude-haiku-4-5-20251001": (1.0, 5.0, 1.25, 0.10),
    "claude-sonnet-4-5-20250929": (3.0, 15.0, 3.75, 0.30),
    "claude-opus-4-5-20251101": (5.0, 25.0, 6.25, 0.50),
}
MODEL_WEIGHTS = [0.55, 0.35, 0.10]

# feature: (weight, mean prompt tokens, share of the prompt that is a cached prefix,
#           mean output tokens, retrieved documents)
FEATURES = {
    "chat": (0.45, 1800, 0.55, 260, 0),
    "rag_answer": (0.30, 5200, 0.70, 340, 6),
    "summarize": (0.15, 9000, 0.20, 500, 0),
    "classify": (0.10, 600, 0.80, 12, 0),
}

PROMPT_HASHES = ["8b7f77e8", "5dd290e9", "ec7a75ef", "a1c3e5f7", "0f1e2d3c"]
FINISH = ["end_turn"] * 90 + ["max_tokens"] * 4 + ["tool_use"] * 5 + ["error"]


def call_line(rng, index):
    model = rng.choices(list(MODELS), MODEL_WEIGHTS)[0]
    feature = rng.choices(list(FEATURES), [f[0] for f in FEATURES.values()])[0]
    _, prompt_mean, cached_share, output_mean, docs = FEATURES[feature]
    prompt = max(20, int(rng.lognormvariate(math.log(prompt_mean), 0.5)))
    # A cached prefix is read when the cache is warm, written when it has just expired.
    cache_read = cache_write = 0
    roll = rng.random()
    if roll < 0.6:
        cache_read = int(prompt * cached_share)
    elif roll < 0.7:
        cache_write = int(prompt * cached_share)
    uncached = prompt - cache_read - cache_write
    output = max(1, int(rng.expovariate(1 / output_mean)))
    finish = rng.choice(FINISH)
    if finish == "error":
        output = 0

    price_in, price_out, price_write, price_read = MODELS[model]
    cost = (uncached * price_in + output * price_out + cache_write * price_write
            + cache_read * price_read) / 1e6
    tier = {"haiku": 0.6, "sonnet": 1.0, "opus": 1.5}[model.split("-")[1]]
    latency = int(tier * (rng.lognormvariate(math.log(350), 0.45) + output * 2.2))
    if rng.random() < 0.01:  # the slow tail: a retry, a queue, a cold start
        latency += int(rng.expovariate(1 / 6000))

    seconds = index * 0.6 + rng.random() * 0.5
    day, rest = divmod(seconds, 86400)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    record = {
        "request_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "timestamp": "2026-02-%02dT%02d:%02d:%06.3fZ" % (1 + int(day) % 28, hour, minute, second),
        "model": model,
        "feature": feature,
        "user_id": "anonymous" if rng.random() < 0.3 else "user_%04d" % rng.randrange(5000),
        "system_prompt_hash": rng.choice(PROMPT_HASHES),
        "input_tokens": uncached,
        "output_tokens": output,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write,
        "cost_usd": round(cost, 6),
        "latency_ms": latency,
        "finish_reason": finish,
        "num_retrieved_docs": docs,
    }
    return json.dumps(record)


def broken(rng, line):
    kind = rng.randrange(4)
    if kind == 0:
        return line[: rng.randrange(1, len(line) - 1)]  # cut short
    if kind == 1:
        return "[" + line + "]"  # not an object
    if kind == 2:
        return line.replace('"input_tokens": ', '"input_tokens": "', 1).replace(
            ', "output_tokens"', '", "output_tokens"', 1)  # a count as a string
    return line.replace('"latency_ms"', '"latency"', 1)  # a required key missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", type=int, help="complete lines to write")
    parser.add_argument("out", help="where to write the log")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--bad-every", type=int, default=0, metavar="K",
                        help="make every K-th line malformed (default: none)")
    parser.add_argument("--torn-tail", action="store_true",
                        help="end with half a line and no newline")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    bad = 0
    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        batch = []
        for index in range(1, args.lines + 1):
            line = call_line(rng, index)
            if args.bad_every and index % args.bad_every == 0:
                line = broken(rng, line)
                bad += 1
            batch.append(line)
            if len(batch) == 10000:
                out.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            out.write("\n".join(batch) + "\n")
        if args.torn_tail:
            out.write(call_line(rng, args.lines + 1)[:57])
    print("%s: %d lines, %d calls, %d malformed%s" % (
        args.out, args.lines, args.lines - bad, bad, ", torn tail" if args.torn_tail else ""),
        file=sys.stderr)


if __name__ == "__main__":
    main()
