#!/usr/bin/env bash
# Measures `voipsec inspect` on generated captures of both capgen profiles
# (inspect/internal/capgen):
#   trunk        what a Mediation Server NIC or SIP trunk looks like over time:
#                600 concurrent calls (mean 90 s), SIP over UDP/TCP/TLS with
#                X.509 chains, short-lived TLS connections, RTP, SDES,
#                Microsoft-style SDES and DTLS-SRTP, signalling ~10 % of packets
#   media-heavy  256 long calls, almost every packet media of a known flow
# against
#   (a) a trivial Go loop that reads the same file and touches every byte
#       (the machine's limit), and
#   (b) a baseline written the usual way with gopacket's pcapgo reader and
#       DecodingLayerParser doing the same per-flow classification
#       (inspect/internal/gpbaseline: SIP, SDP, TLS with x509, RTP/SRTP),
# all in one run, back to back, on a warm page cache, and voipsec's two I/O
# paths on the same scan (a mapped file, the default, and read(2) into a
# reused buffer: --io read). It prints every row of issue 11's target table
# with the measured value, best and worst of RUNS runs.
#
# Environment:
#   SIZE=1GiB         capture size of both profiles
#   BIG=4GiB          the trunk capture for the memory and report-size rows ("" skips)
#   DIR=/tmp          where the captures are written (deleted at the end)
#   RUNS=3            runs per contender
#   JOBS=2            workers for the parallel voipsec rows
#   PROFILES="trunk media-heavy"
#   VOIPSEC=path      a prebuilt voipsec to measure instead of this tree's
#   TSHARK_SIZE=""    e.g. 64MiB: also time tshark -z rtp,streams on a trunk capture of that size
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-1GiB}
BIG=${BIG-4GiB}
DIR=${DIR:-/tmp}
RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
PROFILES=${PROFILES:-trunk media-heavy}
bin=$(mktemp -d)
base="$DIR/voipsec-bench-$$"
cleanup() { rm -rf "$bin" "$base"-*; }
trap cleanup EXIT

go build -o "$bin/benchtool" ./inspect/internal/benchtool
if [ -n "${VOIPSEC:-}" ]; then
  cp "$VOIPSEC" "$bin/voipsec"
else
  go build -o "$bin/voipsec" ./cmd/voipsec
fi
voipsec=("$bin/voipsec" inspect --format json -o /dev/null --progress never)
# A voipsec from before --io (VOIPSEC=...) maps files and has no read rows.
has_io=0
if "$bin/voipsec" help inspect | grep -q -- '--io '; then has_io=1; fi

# measure NAME CMD...: runs CMD RUNS times; sets t_min t_max rss (KB, of the fastest run).
measure() {
  t_min="" t_max="" rss=""
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$bin/time" -f "%e %M" "$@" >/dev/null 2>"$bin/err" || true
    local out t m
    out=$(tail -1 "$bin/time")
    t=${out% *} m=${out#* }
    if [ -z "$t_min" ] || awk -v a="$t" -v b="$t_min" 'BEGIN{exit !(a<b)}'; then t_min=$t rss=$m; fi
    if [ -z "$t_max" ] || awk -v a="$t" -v b="$t_max" 'BEGIN{exit !(a>b)}'; then t_max=$t; fi
  done
}

gbps() { awk -v b="$1" -v s="$2" 'BEGIN{ if (s<=0) s=0.001; printf "%.2f", b/s/1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a<=0) a=0.001; printf "%.2f", b/a }'; }
# range A_MIN A_MAX B_MIN B_MAX: the ratio B/A as "best (worst-best range)"
range() { awk -v a1="$1" -v a2="$2" -v b1="$3" -v b2="$4" 'BEGIN{
  if (a1<=0) a1=0.001; if (a2<=0) a2=0.001
  lo=b1/a2; hi=b2/a1; mid=b1/a1; printf "%.2fx (%.2f-%.2f)", mid, lo, hi }'; }

declare -A R

bench_profile() {
  local profile=$1 cap="$base-$1.pcap"
  echo
  echo "== $profile, $SIZE"
  "$bin/benchtool" gen -profile "$profile" -size "$SIZE" "$cap"
  local bytes
  bytes=$(stat -c %s "$cap")
  cat "$cap" >/dev/null # warm the page cache
  printf '%-40s %15s %8s %10s\n' contender "seconds" "GB/s" "peak RSS"
  measure "$bin/benchtool" readloop "$cap"
  local l1=$t_min l2=$t_max
  printf '%-40s %6s-%-8s %8s %7d MB\n' "trivial read loop (machine limit)" "$t_min" "$t_max" "$(gbps "$bytes" "$t_min")" $((rss / 1024))
  measure "$bin/benchtool" gopacket "$cap"
  local g1=$t_min g2=$t_max
  printf '%-40s %6s-%-8s %8s %7d MB\n' "gopacket baseline (same classification)" "$t_min" "$t_max" "$(gbps "$bytes" "$t_min")" $((rss / 1024))
  measure "${voipsec[@]}" -j 1 "$cap"
  local v1=$t_min v2=$t_max
  R[$profile-rss1]=$((rss / 1024))
  printf '%-40s %6s-%-8s %8s %7d MB\n' "voipsec inspect -j 1 (mapped)" "$t_min" "$t_max" "$(gbps "$bytes" "$t_min")" $((rss / 1024))
  local r1=0 r2=0
  if [ $has_io = 1 ]; then
    measure "${voipsec[@]}" -j 1 --io read "$cap"
    r1=$t_min r2=$t_max
    printf '%-40s %6s-%-8s %8s %7d MB\n' "voipsec inspect -j 1 --io read" "$t_min" "$t_max" "$(gbps "$bytes" "$t_min")" $((rss / 1024))
  fi
  measure "${voipsec[@]}" -j "$JOBS" "$cap"
  local j1=$t_min j2=$t_max
  printf '%-40s %6s-%-8s %8s %7d MB\n' "voipsec inspect -j $JOBS (mapped)" "$t_min" "$t_max" "$(gbps "$bytes" "$t_min")" $((rss / 1024))
  if [ $has_io = 1 ]; then
    measure "${voipsec[@]}" -j "$JOBS" --io read "$cap"
    printf '%-40s %6s-%-8s %8s %7d MB\n' "voipsec inspect -j $JOBS --io read" "$t_min" "$t_max" "$(gbps "$bytes" "$t_min")" $((rss / 1024))
  fi
  R[$profile-gp1]=$(range "$v1" "$v2" "$g1" "$g2")
  R[$profile-gpj]=$(range "$j1" "$j2" "$g1" "$g2")
  R[$profile-loopj]=$(range "$j1" "$j2" "$l1" "$l2")
  R[$profile-io]=$(range "$v1" "$v2" "$r1" "$r2")
  echo "  -j 1 vs gopacket: ${R[$profile-gp1]}   -j $JOBS vs gopacket: ${R[$profile-gpj]}   -j $JOBS vs read loop: ${R[$profile-loopj]}"
  if [ $has_io = 1 ]; then
    echo "  I/O: -j 1 --io read takes ${R[$profile-io]} the time of -j 1 mapped (the default)"
  fi
  if [ "$profile" = trunk ]; then
    "$bin/voipsec" inspect --format json -o "$base-report.json" --progress never -j 1 "$cap" >/dev/null 2>&1 || true
    R[trunk-json1]=$(stat -c %s "$base-report.json")
  fi
  rm -f "$cap"
}

for p in $PROFILES; do bench_profile "$p"; done

if [ -n "$BIG" ] && [[ " $PROFILES " == *" trunk "* ]]; then
  cap="$base-trunk-big.pcap"
  echo
  echo "== trunk, $BIG (same concurrency)"
  "$bin/benchtool" gen -profile trunk -size "$BIG" "$cap"
  cat "$cap" >/dev/null
  RUNS=1 measure "${voipsec[@]}" -j 1 "$cap"
  R[trunk-rss4]=$((rss / 1024))
  echo "  voipsec inspect -j 1: $t_min s, peak RSS ${R[trunk-rss4]} MB"
  "$bin/voipsec" inspect --format json -o "$base-report.json" --progress never "$cap" >/dev/null 2>&1 || true
  R[trunk-json4]=$(stat -c %s "$base-report.json")
  "$bin/voipsec" inspect -o "$base-report.txt" --progress never "$cap" >/dev/null 2>&1 || true
  R[trunk-text4]=$(wc -l <"$base-report.txt")
  rm -f "$cap"
fi

mark() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN{ ok = (op==">=") ? (v+0>=t+0) : (v+0<=t+0); print ok ? "met" : "NOT met" }'; }
echo
echo "targets ($(nproc) CPUs, $SIZE unless noted; ratios best (range) over $RUNS runs, in one run of this script):"
if [ -n "${R[trunk-gp1]:-}" ]; then
  echo "  trunk -j 1 vs gopacket (>= 2x, goal 3x):          ${R[trunk-gp1]}   $(mark "${R[trunk-gp1]%%x*}" 2 '>=')"
  echo "  trunk peak RSS -j 1 (<= 150 MB):                  ${R[trunk-rss1]} MB   $(mark "${R[trunk-rss1]}" 150 '<=')"
fi
if [ -n "${R[media-heavy-gp1]:-}" ]; then
  echo "  media-heavy -j 1 vs gopacket (>= 3x):             ${R[media-heavy-gp1]}   $(mark "${R[media-heavy-gp1]%%x*}" 3 '>=')"
  echo "  media-heavy -j $JOBS vs read loop (>= 0.5x):         ${R[media-heavy-loopj]}   $(mark "${R[media-heavy-loopj]%%x*}" 0.5 '>=')"
fi
if [ -n "${R[trunk-rss4]:-}" ]; then
  f=$(awk -v a="${R[trunk-rss4]}" -v b="${R[trunk-rss1]:-1}" 'BEGIN{printf "%.2f", a/b}')
  echo "  trunk peak RSS $BIG vs $SIZE (<= 1.25x):           ${R[trunk-rss4]} MB vs ${R[trunk-rss1]:-?} MB = ${f}x   $(mark "$f" 1.25 '<=')"
  echo "  trunk JSON report $BIG (<= 5 MB):                ${R[trunk-json4]} bytes ($SIZE: ${R[trunk-json1]:-?})   $(mark "${R[trunk-json4]}" 5000000 '<=')"
  echo "  trunk text report $BIG (<= 500 lines):           ${R[trunk-text4]} lines   $(mark "${R[trunk-text4]}" 500 '<=')"
fi

if [ -n "${TSHARK_SIZE:-}" ] && command -v tshark >/dev/null; then
  f="$base-tshark.pcap"
  "$bin/benchtool" gen -profile trunk -size "$TSHARK_SIZE" "$f"
  tb=$(stat -c %s "$f")
  cat "$f" >/dev/null
  t0=$(date +%s.%N)
  tshark -r "$f" -q -o rtp.heuristic_rtp:TRUE -z rtp,streams >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  "${voipsec[@]}" -j 1 "$f" >/dev/null 2>&1 || true
  t2=$(date +%s.%N)
  awk -v b="$tb" -v a="$t0" -v m="$t1" -v c="$t2" 'BEGIN{
    printf "\ntshark -z rtp,streams on %d bytes: %.2f s; voipsec inspect -j 1: %.2f s; voipsec is %.0fx faster\n",
      b, m-a, c-m, (m-a)/(c-m) }'
  rm -f "$f"
fi
