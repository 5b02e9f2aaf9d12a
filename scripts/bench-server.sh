#!/usr/bin/env bash
# Load test of `speechdex serve`'s /api/search on loopback with wrk.
#
# Usage: scripts/bench-server.sh INDEX [LABEL]
#
# Starts `speechdex serve --addr 127.0.0.1:0 --index INDEX` (any free port), waits for
# /healthz, checks that every query of scripts/bench-server.lua answers 200, warms up, then runs
# wrk for a bounded time at each number of concurrent connections (clients), sampling the
# server's memory from /proc. Prints a markdown table on stdout (progress on stderr).
#
# Environment (all optional):
#   SPEECHDEX    the binary (default: target/release/speechdex next to this script)
#   CLIENTS      connection counts (default: "1 8 64")
#   DURATION     wrk duration of each run (default: 20s)
#   WARMUP       wrk warm-up duration at 8 connections, not reported (default: 5s)
#   SERVE_ARGS   extra arguments for `speechdex serve` (e.g. "--cache-mb 0": no caches)
#
# Every connection is one client that sends its next request as soon as the previous answer
# arrives (closed loop), so at 64 clients p99 is mostly the time spent queued behind the other
# 63. wrk runs on the same machine and takes some of its CPU. "server CPU per request" is the
# server's user + system CPU time during the run divided by the requests answered: unlike the
# latencies, it hardly depends on what else the machine is doing.
#
# To keep measurements from overlapping with other benchmarks on a shared machine:
#   flock /tmp/speechdex-measure.lock scripts/bench-server.sh /tmp/srv-idx-500 "500 MB"
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
index="${1:?usage: scripts/bench-server.sh INDEX [LABEL]}"
label="${2:-$index}"
bin="${SPEECHDEX:-$here/../target/release/speechdex}"
lua="$here/bench-server.lua"
clients="${CLIENTS:-1 8 64}"
duration="${DURATION:-20s}"
warmup="${WARMUP:-5s}"

for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench-server: $tool is not installed" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "bench-server: no binary at $bin (cargo build --release)" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
sampler_pid=""
cleanup() {
    [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2086
"$bin" serve --index "$index" --addr 127.0.0.1:0 --color never ${SERVE_ARGS:-} \
    >"$work/out" 2>"$work/err" &
server_pid=$!

# The first line printed is `listening on http://ADDR`.
base=""
for _ in $(seq 1 200); do
    if line="$(head -n1 "$work/out" 2>/dev/null)" && [[ "$line" == "listening on "* ]]; then
        base="${line#listening on }"
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
    sleep 0.05
done
[ -n "$base" ] || { echo "bench-server: the server did not start" >&2; exit 1; }
for _ in $(seq 1 200); do
    curl -fsS "$base/healthz" >"$work/health" 2>/dev/null && break
    sleep 0.05
done
echo "bench-server: serving $index at $base: $(cat "$work/health")" >&2

kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$server_pid/status"; }
# CPU time (user + system) the server has used so far, in clock ticks.
ticks() { sed -E 's/^.*\) //' "/proc/$server_pid/stat" | awk '{print $12 + $13}'; }
hz="$(getconf CLK_TCK)"
mb() { awk -v v="$1" 'BEGIN {printf "%.0f", v / 1024}'; }
rss_idle="$(kb VmRSS)"

# Every query must answer 200 (a typo in the rotation would otherwise be measured as errors).
queries=0
while IFS= read -r path; do
    code="$(curl -s -o "$work/answer" -w '%{http_code}' "$base$path")"
    if [ "$code" != 200 ]; then
        echo "bench-server: $path answered $code: $(head -c 300 "$work/answer")" >&2
        exit 1
    fi
    queries=$((queries + 1))
done < <(BENCH_LIST_PATHS=1 wrk -s "$lua" "$base/" 2>/dev/null)
echo "bench-server: $queries queries answer 200" >&2

# Memory: the largest VmRSS seen every 0.2 s while wrk runs (VmHWM is read at the end too).
(
    peak=0
    while kill -0 "$server_pid" 2>/dev/null; do
        v="$(awk '$1 == "VmRSS:" {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)"
        [ "${v:-0}" -gt "$peak" ] && peak="$v" && echo "$peak" >"$work/peak"
        sleep 0.2
    done
) &
sampler_pid=$!

echo "bench-server: warm-up ($warmup at 8 clients)" >&2
wrk -t2 -c8 -d"$warmup" -s "$lua" "$base/" >/dev/null

rows=""
for c in $clients; do
    threads=2
    [ "$c" -lt 2 ] && threads=1
    load="$(cut -d' ' -f1 /proc/loadavg)"
    echo "bench-server: $c clients for $duration (load $load)" >&2
    cpu_before="$(ticks)"
    wrk -t"$threads" -c"$c" -d"$duration" --timeout 10s --latency -s "$lua" "$base/" >"$work/wrk-$c"
    cpu="$(($(ticks) - cpu_before))"
    result="$(grep '^RESULT ' "$work/wrk-$c")" || { cat "$work/wrk-$c" >&2; exit 1; }
    get() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$result"; }
    requests="$(get requests)"
    errors=$(($(get connect) + $(get read) + $(get write) + $(get status) + $(get timeout)))
    rows+="$(awk -v label="$label" -v c="$c" -v n="$requests" -v d="$(get duration_us)" \
        -v p50="$(get p50_us)" -v p90="$(get p90_us)" -v p99="$(get p99_us)" \
        -v max="$(get max_us)" -v e="$errors" -v load="$load" -v rss="$(mb "$(kb VmRSS)")" \
        -v cpu="$cpu" -v hz="$hz" '
        function ms(us) { return us < 10000 ? sprintf("%.1f ms", us / 1000) : sprintf("%.0f ms", us / 1000) }
        BEGIN {
            printf "| %s | %d | %.0f | %s | %s | %s | %s | %.2f ms | %d / %d | %s MB | %s |\n",
                label, c, n / (d / 1e6), ms(p50), ms(p90), ms(p99), ms(max),
                cpu / hz * 1000 / n, e, n, rss, load
        }')"$'\n'
done

hwm="$(kb VmHWM)"
anon="$(kb RssAnon)"
file="$(kb RssFile)"
peak="$(cat "$work/peak" 2>/dev/null || echo 0)"
# The caches' own figures (`serve --cache-mb`): size, hits and misses over the whole run.
cache="$(curl -fsS "$base/api/stats" | python3 -c '
import json, sys
c = json.load(sys.stdin).get("cache", {})
def one(name, label):
    s = c.get(name)
    if not s or not s["budget_bytes"]:
        return label + " off"
    total = s["hits"] + s["misses"]
    return "%s %.1f of %.0f MB, %d entries, %.1f %% hits" % (label, s["bytes"] / 2**20,
        s["budget_bytes"] / 2**20, s["entries"], 100.0 * s["hits"] / total if total else 0)
print("; ".join([one("phrase_counts", "phrase counts"), one("speeches", "speeches")]))
' 2>/dev/null || echo "not reported")"
cat <<EOF

Server: \`speechdex serve\` on $base, index \`$index\` ($(cat "$work/health")).
wrk $duration per row, $queries queries rotated (scripts/bench-server.lua), limit=10, 2 snippets.

| corpus | clients | req/s | p50 | p90 | p99 | max | server CPU per request | errors / requests | RSS after | load (1 min) at start |
|---|---|---|---|---|---|---|---|---|---|---|
${rows}
Server memory: $(mb "$rss_idle") MB RSS idle after start, $(mb "$peak") MB largest RSS sampled, $(mb "$hwm") MB VmHWM at the end; at the end $(mb "$anon") MB of it anonymous (the process's own) and $(mb "$file") MB file-backed (index pages mapped from the page cache, shared and reclaimable).
Caches: $cache.
EOF
