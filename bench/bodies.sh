#!/usr/bin/env bash
# Large bodies through HTTP_PROXY, Portico against nginx in one run. A backend nginx serves a
# 64 KB and a 1 MB file and takes uploads; nginx (one worker, upstream keep-alive) proxies to
# it twice, with its default buffering (`nginx`: a body over its buffers goes through a temp file)
# and with buffering off (`nginxunbuf`: streamed), and so does Portico (a `{proxy+}` HTTP_PROXY
# API). Interleaved wrk rounds
# measure downloads of each size and a 1 MB upload: req/s and the proxy's CPU time per request
# (utime+stime ÷ requests). Prints each round, the means with Portico's ratios to nginx, and
# Portico's RSS before and after.
#
#   bash bench/bodies.sh                    # ROUNDS=3, D=4 s per measurement, CONN=4
#   ROUNDS=5 CONN=16 bash bench/bodies.sh
#   PORTICO_BIN=target/pgo/release/portico bash bench/bodies.sh   # another build of Portico
# Needs nginx and wrk (apt-get install -y nginx-light wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
D=${D:-4}
CONN=${CONN:-4}
source bench/lib.sh nginx wrk
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

mkdir -p "$tmp/www"
head -c 65536 /dev/urandom >"$tmp/www/64k"
head -c 1048576 /dev/urandom >"$tmp/www/1m"
# nginx's workers run as an unprivileged user: the files and the scratch dir must be readable.
chmod a+rx "$tmp" "$tmp/www" && chmod a+r "$tmp/www/"*
bport=$(free_port)
pport=$(free_port)
uport=$(free_port)
cat >"$tmp/files.conf" <<CONF
worker_processes 1; daemon off; pid $tmp/files.pid; error_log $tmp/files.err;
events { worker_connections 4096; }
http { access_log off; sendfile on; client_max_body_size 20m;
  server { listen 127.0.0.1:$bport; root $tmp/www;
    location /sink { client_body_buffer_size 2m; return 200 'ok'; } } }
CONF
cat >"$tmp/proxy.conf" <<CONF
worker_processes 1; daemon off; pid $tmp/proxy.pid; error_log $tmp/proxy.err;
events { worker_connections 4096; }
http { access_log off; client_max_body_size 20m;
  upstream be { server 127.0.0.1:$bport; keepalive 64; }
  server { listen 127.0.0.1:$pport;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:$uport;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off; proxy_request_buffering off; } } }
CONF
nginx -c "$tmp/files.conf" -p "$tmp" &
nginx -c "$tmp/proxy.conf" -p "$tmp" &
sleep 0.5
nginx_worker=$(pgrep -P "$(cat "$tmp/proxy.pid")" | head -1)

PORTICO_BIN=${PORTICO_BIN:-./target/release/portico}
echo "portico: $PORTICO_BIN"
start_portico "$PORTICO_BIN" portico
# Deployed through the management API, as a user would: ANY /{proxy+} -> the backend's /{proxy}.
api=$("$VENV/bin/python" bench/deploy_bench_api.py "http://127.0.0.1:$port" "http://127.0.0.1:$bport" bodies)
gw="http://127.0.0.1:$port/restapis/$api/bench/_user_request_"
# Both proxies must hand back the backend's bytes whole before anything is timed.
for f in 64k 1m; do
  cmp -s <(curl -fs "$gw/$f") "$tmp/www/$f" || { echo "Portico did not return $f intact" >&2; exit 1; }
  for p in "$pport" "$uport"; do
    cmp -s <(curl -fs "http://127.0.0.1:$p/$f") "$tmp/www/$f" || { echo "nginx did not return $f intact" >&2; exit 1; }
  done
done
cat >"$tmp/upload.lua" <<LUA
wrk.method = "POST"
local f = io.open("$tmp/www/1m", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
LUA
rss_before=$(rss_kb "$ppid")

for _ in $(seq "$ROUNDS"); do
  for f in 64k 1m; do
    measure "nginx-get-$f" "$nginx_worker" "http://127.0.0.1:$pport/$f"
    measure "nginxunbuf-get-$f" "$nginx_worker" "http://127.0.0.1:$uport/$f"
    measure "portico-get-$f" "$ppid" "$gw/$f"
  done
  measure "nginx-post-1m" "$nginx_worker" "http://127.0.0.1:$pport/sink" -s "$tmp/upload.lua"
  measure "nginxunbuf-post-1m" "$nginx_worker" "http://127.0.0.1:$uport/sink" -s "$tmp/upload.lua"
  measure "portico-post-1m" "$ppid" "$gw/sink" -s "$tmp/upload.lua"
done | tee "$tmp/rounds"
rss_after=$(rss_kb "$ppid")

echo "-- means over $ROUNDS rounds ($CONN connections)"
awk '{ split($1, p, "-"); x = p[2] "-" p[3]; r[p[1], x] += $2; c[p[1], x] += $4; k[p[1], x]++; cases[x] = 1 }
  END { for (x in cases) {
          pr = r["portico", x] / k["portico", x]; pc = c["portico", x] / k["portico", x]
          printf "%-8s Portico %8.1f req/s %7.1f us", x, pr, pc
          split("nginx nginxunbuf", refs, " ")
          for (i = 1; i <= 2; i++) {
            n = refs[i]; nr = r[n, x] / k[n, x]; nc = c[n, x] / k[n, x]
            printf " | %s %7.1f req/s %7.1f us: Portico %.2fx its req/s, %.2fx its CPU", n, nr, nc, pr / nr, pc / nc
          }
          print "" } }' "$tmp/rounds" | sort
awk -v b="$rss_before" -v a="$rss_after" \
  'BEGIN { printf "Portico RSS: %.1f MB before, %.1f MB after\n", b / 1024, a / 1024 }'
