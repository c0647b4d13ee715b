#!/usr/bin/env bash
# Measures `voipsec inspect` on a generated capture against
#   (a) a trivial Go loop that reads the same file and touches every byte
#       (the machine's limit), and
#   (b) a baseline written the usual way with gopacket's pcapgo reader and
#       DecodingLayerParser (inspect/internal/gpbaseline),
# all in one run, on a warm page cache, and prints throughput and ratios.
#
# Environment:
#   SIZE=1GiB            capture size (KiB, MiB, GiB suffixes)
#   DIR=/tmp             where the capture is written (deleted at the end)
#   RUNS=3               runs per contender; the best is reported
#   JOBS=$(nproc)        workers for the parallel voipsec run
#   MEM_SIZES=""         e.g. "256MiB 1GiB": also compare peak RSS across sizes, for
#                        the same 256 calls lasting longer (memory follows the flow
#                        table, not the file size)
#   TSHARK_SIZE=""       e.g. 64MiB: also time tshark -z rtp,streams on a capture of that size
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-1GiB}
DIR=${DIR:-/tmp}
RUNS=${RUNS:-3}
JOBS=${JOBS:-$(nproc)}
bin=$(mktemp -d)
cap="$DIR/voipsec-bench-$$.pcap"
cleanup() { rm -rf "$bin" "$cap" "$DIR/voipsec-bench-$$-"*; }
trap cleanup EXIT

go build -o "$bin/voipsec" ./cmd/voipsec
go build -o "$bin/benchtool" ./inspect/internal/benchtool

echo "generating $SIZE capture (deterministic, seed 1) in $cap"
"$bin/benchtool" gen -size "$SIZE" "$cap"
bytes=$(stat -c %s "$cap")
cat "$cap" >/dev/null # warm the page cache
packets=$("$bin/voipsec" inspect --format json --progress never "$cap" 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["captures"][0]["stats"]["packets"])' || true)

# best_of CMD...: prints "seconds maxrss_kb" of the fastest of RUNS runs.
best_of() {
  local best="" rss=""
  for _ in $(seq "$RUNS"); do
    local out
    /usr/bin/time -o "$bin/time" -f "%e %M" "$@" >/dev/null 2>&1 || true
    out=$(tail -1 "$bin/time")
    local t=${out% *} m=${out#* }
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t rss=$m; fi
  done
  echo "$best $rss"
}

# /usr/bin/time has 10 ms resolution; the Go tools also time themselves.
read -r loop_s loop_rss < <(best_of "$bin/benchtool" readloop "$cap")
read -r gp_s gp_rss < <(best_of "$bin/benchtool" gopacket "$cap")
read -r v1_s v1_rss < <(best_of "$bin/voipsec" inspect --format json -o /dev/null --progress never -j 1 "$cap")
read -r vj_s vj_rss < <(best_of "$bin/voipsec" inspect --format json -o /dev/null --progress never -j "$JOBS" "$cap")

gbps() { awk -v b="$bytes" -v s="$1" 'BEGIN{ if (s<=0) s=0.001; printf "%.2f", b/s/1e9 }'; }
nspp() { awk -v p="$packets" -v s="$1" 'BEGIN{ if (p>0) printf "%.0f", s*1e9/p; else print "?" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a<=0) a=0.001; printf "%.2f", b/a }'; }

echo
echo "capture: $bytes bytes, $packets packets, $(nproc) CPUs, best of $RUNS runs, warm page cache"
printf '%-36s %8s %9s %8s %10s\n' contender seconds "GB/s" "ns/pkt" "peak RSS"
printf '%-36s %8s %9s %8s %8s MB\n' "trivial read loop (machine limit)" "$loop_s" "$(gbps "$loop_s")" "$(nspp "$loop_s")" $((loop_rss / 1024))
printf '%-36s %8s %9s %8s %8s MB\n' "gopacket pcapgo+DecodingLayerParser" "$gp_s" "$(gbps "$gp_s")" "$(nspp "$gp_s")" $((gp_rss / 1024))
printf '%-36s %8s %9s %8s %8s MB\n' "voipsec inspect -j 1" "$v1_s" "$(gbps "$v1_s")" "$(nspp "$v1_s")" $((v1_rss / 1024))
printf '%-36s %8s %9s %8s %8s MB\n' "voipsec inspect -j $JOBS" "$vj_s" "$(gbps "$vj_s")" "$(nspp "$vj_s")" $((vj_rss / 1024))
echo
echo "voipsec -j 1 vs gopacket baseline:   $(ratio "$v1_s" "$gp_s")x   (target >= 3x)"
echo "voipsec -j $JOBS vs gopacket baseline:   $(ratio "$vj_s" "$gp_s")x"
echo "voipsec -j $JOBS vs trivial read loop:   $(ratio "$vj_s" "$loop_s")x   (target >= 0.5x)"

if [ -n "${MEM_SIZES:-}" ]; then
  echo
  echo "peak RSS by capture size, same 256 calls (voipsec inspect -j 1 and -j $JOBS):"
  for s in $MEM_SIZES; do
    f="$DIR/voipsec-bench-$$-$s.pcap"
    "$bin/benchtool" gen -size "$s" -calllen 100000000 "$f"
    /usr/bin/time -o "$bin/time" -f "%M" "$bin/voipsec" inspect --format json -o /dev/null --progress never -j 1 "$f" >/dev/null 2>&1 || true
    r1=$(tail -1 "$bin/time")
    /usr/bin/time -o "$bin/time" -f "%M" "$bin/voipsec" inspect --format json -o /dev/null --progress never -j "$JOBS" "$f" >/dev/null 2>&1 || true
    rj=$(tail -1 "$bin/time")
    printf '  %-8s -j 1: %5d MB   -j %d: %5d MB\n' "$s" $((r1 / 1024)) "$JOBS" $((rj / 1024))
    rm -f "$f"
  done
fi

if [ -n "${TSHARK_SIZE:-}" ] && command -v tshark >/dev/null; then
  f="$DIR/voipsec-bench-$$-tshark.pcap"
  "$bin/benchtool" gen -size "$TSHARK_SIZE" "$f"
  tb=$(stat -c %s "$f")
  cat "$f" >/dev/null
  t0=$(date +%s.%N)
  tshark -r "$f" -q -o rtp.heuristic_rtp:TRUE -z rtp,streams >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  "$bin/voipsec" inspect --format json -o /dev/null --progress never -j 1 "$f" >/dev/null 2>&1 || true
  t2=$(date +%s.%N)
  awk -v b="$tb" -v a="$t0" -v m="$t1" -v c="$t2" 'BEGIN{
    printf "\ntshark -z rtp,streams on %d bytes: %.2f s (%.3f GB/s); voipsec inspect -j 1: %.2f s (%.3f GB/s); voipsec is %.0fx faster\n",
      b, m-a, b/(m-a)/1e9, c-m, b/(c-m)/1e9, (m-a)/(c-m) }'
  rm -f "$f"
fi
