#!/usr/bin/env bash
# HTTPS through a custom domain: Portico terminating TLS (rustls, the domain's certificate by
# SNI) and proxying `GET /proxy` (HTTP_PROXY) to the backend, against nginx terminating TLS with
# the same certificate and proxying to the same backend. Keep-alive, `wrk -t1 -c16`, interleaved
# rounds; prints req/s, CPU per request, and the per-round ratio Portico ÷ nginx (with the 95%
# interval from three rounds on). The target (issue #21): ≥ 0.9× nginx's req/s.
#
#   bash bench/tls.sh                 # ROUNDS=3, D=5 s per run
#   ROUNDS=5 D=10 bash bench/tls.sh
# Needs nginx and wrk; the name bench.portico.test must resolve to 127.0.0.1 (wrk takes SNI
# from the URL): the script adds it to /etc/hosts when it can, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
export D=${D:-5}
NAME=bench.portico.test
BACKEND=http://127.0.0.1:18081/
source bench/lib.sh nginx wrk openssl
if ! getent hosts "$NAME" >/dev/null; then
  if [ -w /etc/hosts ]; then
    echo "127.0.0.1 $NAME" >>/etc/hosts && echo "added '127.0.0.1 $NAME' to /etc/hosts"
  else
    echo "$NAME must resolve to 127.0.0.1 (add it to /etc/hosts)" >&2; exit 2
  fi
fi

start_backend

# One CA and one certificate for the name, used by both servers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Bench CA" \
  -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$NAME" \
  -keyout "$tmp/leaf.key" -out "$tmp/leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s\n' "$NAME" >"$tmp/ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 2 -extfile "$tmp/ext" -out "$tmp/leaf.crt" 2>/dev/null
cat "$tmp/leaf.crt" "$tmp/ca.crt" >"$tmp/chain.crt"

nport=$(free_port)
cat >"$tmp/nginx-tls.conf" <<CONF
worker_processes 1; daemon off; pid $tmp/tls.pid; error_log $tmp/tls.err;
events { worker_connections 4096; }
http { access_log off;
  upstream be { server 127.0.0.1:18081; keepalive 64; }
  server { listen 127.0.0.1:$nport ssl; server_name $NAME;
    ssl_certificate $tmp/chain.crt; ssl_certificate_key $tmp/leaf.key;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache shared:SSL:1m;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
nginx -c "$tmp/nginx-tls.conf" -p "$tmp" &
sleep 0.5
nginx_worker=$(pgrep -P "$(cat "$tmp/tls.pid")" | head -1)

PORTICO_BIN=${PORTICO_BIN:-./target/release/portico}
tport=$(free_port)
port=$(free_port)
PORTICO_LOG=warn "$PORTICO_BIN" serve --listen "127.0.0.1:$port" --tls-listen "127.0.0.1:$tport" \
  --data-dir "$tmp/data" >"$tmp/portico.log" 2>&1 &
ppid=$!
for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.05; done
API_ID=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "$BACKEND")
"$VENV/bin/python" - "$port" "$API_ID" "$NAME" "$tmp" <<'PY'
import sys, boto3
port, api_id, name, tmp = sys.argv[1:]
c = boto3.client("apigateway", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
read = lambda f: open(f"{tmp}/{f}").read()
c.create_domain_name(domainName=name, certificateBody=read("leaf.crt"),
                     certificatePrivateKey=read("leaf.key"), certificateChain=read("ca.crt"),
                     endpointConfiguration={"types": ["REGIONAL"]})
c.create_base_path_mapping(domainName=name, restApiId=api_id, stage="bench")
PY

# Both must answer through TLS with the certificate the CA signed before anything is measured.
curl -fs --cacert "$tmp/ca.crt" -o /dev/null "https://$NAME:$nport/"
for _ in $(seq 100); do
  curl -fs --cacert "$tmp/ca.crt" -o /dev/null "https://$NAME:$tport/proxy" && break; sleep 0.05
done
curl -fsS --cacert "$tmp/ca.crt" -o /dev/null "https://$NAME:$tport/proxy"

for round in $(seq "$ROUNDS"); do
  echo "-- round $round of $ROUNDS"
  measure nginx-tls "$nginx_worker" "https://$NAME:$nport/" | tee "$tmp/n"
  measure portico-tls "$ppid" "https://$NAME:$tport/proxy" | tee "$tmp/p"
  awk 'NR==FNR { n = $2; next } { printf "ratio    %.2f (Portico req/s / nginx req/s)\n", $2 / n }' \
    "$tmp/n" "$tmp/p" | tee -a "$tmp/ratios"
done
if [ "$ROUNDS" -ge 3 ]; then
  awk '{print $2}' "$tmp/ratios" | "$VENV/bin/python" bench/stats.py
fi
