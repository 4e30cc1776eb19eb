#!/usr/bin/env bash
# Runs every fuzz target of the fuzz preset for SECONDS each, one after the other, and fails
# when any of them crashes, leaks, times out or breaks an invariant.
#
#   tests/fuzz/run_fuzzers.sh SECONDS [TARGET...]     (after: cmake --build --preset fuzz)
#
# Each target starts from a copy of its seed corpus in tests/fuzz/corpus/<target>, so the
# repository's corpus is never written to. What a run finds (new inputs, and a crash's
# reproducer) stays in a work folder the script names at the end; a crash is reproduced with
#   build/fuzz/tests/fuzz/fuzz_<target> <reproducer>
set -euo pipefail

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$fuzz_dir/../.." && pwd)
bin_dir=${OPSBENCH_FUZZ_BIN:-$repo/build/fuzz/tests/fuzz}

seconds=${1:-}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
fi
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(sse calllog logrecords pricebook router)

# The longest input each target is given: a few events of a stream, a few dozen log lines, a
# price file and a rules file are all a few kilobytes; longer inputs only slow the search.
declare -A max_len=([sse]=4096 [calllog]=8192 [logrecords]=4096 [pricebook]=8192 [router]=2048)

work=$(mktemp -d "${TMPDIR:-/tmp}/opsbench-fuzz.XXXXXX")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
printf '%-10s %10s %8s %8s %10s %s\n' target executions exec/s cov corpus result
for target in "${targets[@]}"; do
    binary=$bin_dir/fuzz_$target
    [ -x "$binary" ] || { echo "run_fuzzers: $binary is missing; build the fuzz preset" >&2; exit 2; }
    corpus=$work/$target/corpus
    mkdir -p "$corpus" "$work/$target/crashes"
    cp "$fuzz_dir/corpus/$target/"* "$corpus/"
    dict=()
    [ -f "$fuzz_dir/$target.dict" ] && dict=(-dict="$fuzz_dir/$target.dict")

    result=ok
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: far above what a few
    # kilobytes of input may need, so a runaway allocation is reported, not swapped.
    "$binary" "$corpus" "${dict[@]}" -max_total_time="$seconds" -max_len="${max_len[$target]}" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/$target/crashes/" >"$work/$target/log" 2>&1 || result=FAILED

    log=$work/$target/log
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    printf '%-10s %10s %8s %8s %10s %s\n' "$target" "${executions:-?}" "${per_second:-?}" \
        "${cov:-?}" "$(find "$corpus" -type f | wc -l)" "$result"
    if [ "$result" != ok ]; then
        failed+=("$target")
        grep -m1 -E 'ERROR: |runtime error|broken invariant' "$log" >&2 || true
        for reproducer in "$work/$target/crashes/"*; do
            [ -e "$reproducer" ] && echo "  reproducer: $reproducer" >&2
        done
        echo "  log: $log" >&2
    fi
done

echo "run_fuzzers: corpora, logs and reproducers are in $work"
if [ ${#failed[@]} -gt 0 ]; then
    echo "run_fuzzers: FAILED: ${failed[*]}" >&2
    exit 1
fi
