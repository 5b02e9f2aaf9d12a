#!/usr/bin/env bash
# Peak memory of `speechdex serve` under a hostile sequence of requests (docs/reliability.md,
# "Server limits"). Linux only (reads VmHWM from /proc).
#
#   cargo build --release
#   target/release/speechdex index ../shared/corpus --index /tmp/ix-shared
#   bash scripts/server-limits.sh target/release/speechdex /tmp/ix-shared
#
# Prints the peak resident memory (VmHWM) after each phase, then how long the server takes to
# stop on SIGTERM with a stalled client connected. Needs bash and curl; talks to 127.0.0.1 only.
set -euo pipefail

bin=${1:?usage: server-limits.sh SPEECHDEX_BINARY INDEX}
index=${2:?usage: server-limits.sh SPEECHDEX_BINARY INDEX}
rounds=${ROUNDS:-2}
clients=${CLIENTS:-8}

out=$(mktemp)
err=$(mktemp)
"$bin" serve --addr 127.0.0.1:0 --index "$index" >"$out" 2>"$err" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$out" "$err"' EXIT
for _ in $(seq 100); do
    grep -q listening "$out" && break
    sleep 0.1
done
base=$(sed -n 's/^listening on //p' "$out")
port=${base##*:}
echo "server $bin (pid $pid) at $base on $index"

hwm() { awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status"; }
phase() { printf '%-62s peak %s\n' "$1" "$(hwm)"; }
# Runs `clients` copies of curl on a URL at once, `rounds` times; prints statuses and sizes.
burst() {
    local url=$1 r i pids
    for r in $(seq "$rounds"); do
        pids=()
        for i in $(seq "$clients"); do
            curl -s -o /dev/null -w '%{http_code}:%{size_download} ' "$base$url" &
            pids+=($!)
        done
        wait "${pids[@]}"
    done
    echo
}

curl -s -o /dev/null "$base/healthz"
phase "started, /healthz"

# 50 connections that send half a request head and stall (kept open in this shell).
for i in $(seq 50); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET /api/search?q=a HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&"$fd"
done
phase "50 stalled connections"
# 150 more that stall after 60 KB of headers (each makes hyper buffer what it has read).
pad=$(head -c 60000 /dev/zero | tr '\0' a)
for i in $(seq 150); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: %s' "$pad" >&"$fd"
done
phase "150 connections stalled after 60 KB of headers"

comma=%EF%BC%8C # ，
de=%E7%9A%84    # 的
burst "/api/kwic?term=$comma&sort=left&limit=1000&width=200"
phase "kwic ， sort=left limit=1000 width=200 ($clients at once, x$rounds)"
burst "/api/kwic?term=$comma&sort=right&limit=1000&width=200"
phase "kwic ， sort=right limit=1000 width=200"
limit=""
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/trend?terms=$de&by=speech&limit=5000")" = 200 ]; then
    limit="&limit=5000"
fi
burst "/api/trend?terms=$de,%E5%8F%91%E5%B1%95,%E5%BB%BA%E8%AE%BE&by=speech$limit"
phase "trend 的,发展,建设 by=speech$limit"
burst "/api/search?q=$de&limit=100&snippets=10&width=400"
phase "search 的 limit=100 snippets=10 width=400"
burst "/api/compare?a=year:2020..&b=year:..2019&limit=200"
phase "compare a=year:2020.. b=year:..2019 limit=200 (jieba)"

# 32 clients that ask for a large answer and never read it.
for i in $(seq 32); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET /api/kwic?term=%s&limit=1000&width=200 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' "$comma" >&"$fd"
done
sleep 3
phase "32 clients not reading a 1.4 MB answer"

curl -s -o /dev/null -w 'a normal client meanwhile: %{http_code} in %{time_total} s\n' "$base/healthz"
echo "final peak: $(hwm) (VmRSS now: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status"))"

# A fresh stalled connection (the 50 above were closed after 10 s by the server).
exec {fd}<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&"$fd"
sleep 0.2
start=$(date +%s.%N)
kill -TERM "$pid"
(sleep 20 && kill -KILL "$pid" 2>/dev/null) &
watchdog=$!
status=0
# (`wait` returns early when the shell itself gets a signal: wait until the server is gone.)
while kill -0 "$pid" 2>/dev/null; do
    status=0
    wait "$pid" || status=$?
done
end=$(date +%s.%N)
kill "$watchdog" 2>/dev/null || true
awk -v s="$start" -v e="$end" -v st="$status" 'BEGIN {
    if (st == 137) print "SIGTERM with stalled clients connected: still running after 20 s (killed)"
    else printf "SIGTERM with stalled clients connected: stopped after %.1f s\n", e - s
}'
