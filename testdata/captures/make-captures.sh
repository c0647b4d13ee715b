#!/usr/bin/env bash
# Records the captures in this directory from real peers on loopback.
# Needs root (or CAP_NET_RAW) for dumpcap on lo, baresip with the g711, aufile,
# srtp and dtls_srtp modules, openssl and python3. See README.md.
set -euo pipefail
out=${OUT:-$(cd "$(dirname "$0")" && pwd)}
work=$(mktemp -d)
[ -z "${KEEP:-}" ] && trap 'rm -rf "$work"' EXIT
cd "$work"

# An 8 kHz tone with some noise as the call's audio (ausine needs 48 kHz).
python3 - <<'PY'
import wave, struct, math, random
random.seed(1)
w = wave.open('tone.wav', 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b''.join(struct.pack('<h', int(8000*math.sin(2*math.pi*440*i/8000) + 3000*math.sin(2*math.pi*1230*i/8000) + random.gauss(0, 300))) for i in range(8000*10)))
w.close()
PY

# CA, server and client certificates for the TLS captures (made now, thrown away).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 30 -subj /CN=voipsec-capture-ca 2>/dev/null
for who in server client; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $who.key -out $who.csr -subj /CN=$who.voipsec.test 2>/dev/null
  printf 'subjectAltName=DNS:%s.voipsec.test\nextendedKeyUsage=serverAuth,clientAuth\n' $who > $who.ext
  openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile $who.ext -out $who.crt 2>/dev/null
done

capture_one() { # name filter command...
  local name=$1 filter=$2; shift 2
  dumpcap -q -i lo -P -f "$filter" -w "$work/$name.pcap" >/dev/null 2>&1 &
  local dpid=$!
  sleep 1
  "$@" || true
  sleep 0.5
  kill -INT $dpid; wait $dpid || true
  cp "$work/$name.pcap" "$out/$name.pcap"
  echo "$name.pcap: $(stat -c %s "$out/$name.pcap") bytes"
}

capture() { capture_one "$@"; }

# baresip NAME PORT RTP_PORTS MEDIAENC TRANSPORT
baresip_cfg() {
  mkdir -p $1
  cat > $1/config <<CFG
poll_method		epoll
sip_listen		127.0.0.1:$2
sip_transports		$5
sip_certificate		$work/server.pem
sip_cafile		$work/ca.crt
audio_player		aufile,/dev/null
audio_source		aufile,$work/tone.wav
audio_alert		aufile,/dev/null
rtp_ports		$3
rtcp_mux		no
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			srtp.so
module			dtls_srtp.so
module_app		account.so
module_app		menu.so
CFG
  local enc=""
  [ "$4" != none ] && enc=";mediaenc=$4"
  echo "<sip:$1@127.0.0.1:$2;transport=$5>;regint=0;answermode=auto;audio_codecs=PCMU$enc" > $1/accounts
}
cat server.crt server.key > server.pem

call() { # mediaenc transport
  rm -rf alice bob
  baresip_cfg bob 25062 30020-30029 $1 $2
  baresip_cfg alice 25060 30000-30009 $1 $2
  timeout 8 baresip -n 127.0.0.1 -f "$work/bob" -t 5 >bob.log 2>&1 &
  local bpid=$!
  sleep 0.5
  local port=25062
  [ "$2" = tls ] && port=25063 # baresip listens for TLS on the SIP port + 1
  timeout 8 baresip -n 127.0.0.1 -f "$work/alice" -e "/dial sip:bob@127.0.0.1:$port;transport=$2" -t 2 >alice.log 2>&1 || true
  wait $bpid || true
}

if [ -n "${ONLY:-}" ]; then capture() { [ "$1" = "$ONLY" ] || return 0; capture_one "$@"; }; fi
media_filter="host 127.0.0.1 and (portrange 25060-25063 or portrange 30000-30029)"
capture baresip-sdes-udp "$media_filter" call srtp-mand udp
capture baresip-rtp-udp "$media_filter" call none udp
capture baresip-dtls-srtp-udp "$media_filter" call dtls_srtp udp
capture baresip-sdes-tls "$media_filter" call srtp-mand tls

# SIP over TLS 1.2 on 5061 with openssl: the client sends one OPTIONS.
options=$'OPTIONS sip:server.voipsec.test:5061;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5099;branch=z9hG4bK-cap1\r\nFrom: <sip:probe@client.voipsec.test>;tag=1\r\nTo: <sip:server.voipsec.test>\r\nCall-ID: tls-capture-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n'
tls_session() { # server-args client-args [version-args]
  local ver=${3:--tls1_2}
  # shellcheck disable=SC2086
  timeout 5 openssl s_server -quiet -accept 127.0.0.1:5061 $ver -cert server.crt -key server.key -CAfile ca.crt $1 >/dev/null 2>&1 &
  local spid=$!
  sleep 0.7
  # shellcheck disable=SC2086
  (printf '%s' "$options"; sleep 1) | timeout 4 openssl s_client -quiet -connect 127.0.0.1:5061 -servername server.voipsec.test -CAfile ca.crt $ver $2 >/dev/null 2>&1 || true
  kill $spid 2>/dev/null || true
  wait $spid 2>/dev/null || true
}
capture sip-tls-mtls "tcp port 5061" tls_session "-Verify 1" "-cert client.crt -key client.key"
capture sip-tls-no-client-cert "tcp port 5061" tls_session "" ""
capture sip-tls-cert-requested-none-sent "tcp port 5061" tls_session "-verify 1" ""
# TLS 1.0 (needs OpenSSL security level 0 on current Debian).
capture sip-tls10-weak "tcp port 5061" tls_session "" "" "-tls1 -cipher DEFAULT:@SECLEVEL=0"

# The same SDES call as pcapng, to show both formats give the same report.
if [ -z "${ONLY:-}" ]; then
  editcap -F pcapng "$out/baresip-sdes-udp.pcap" "$out/baresip-sdes-udp.pcapng"
  echo "baresip-sdes-udp.pcapng: $(stat -c %s "$out/baresip-sdes-udp.pcapng") bytes"
fi
