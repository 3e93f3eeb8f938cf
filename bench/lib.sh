# Shared by the data-plane bench scripts: `source bench/lib.sh TOOL...` from the repository root.
# Checks the tools, prepares the bench venv and the release build, and gives a scratch dir that
# is removed (and every background job stopped) on exit.
VENV=${VENV:-.venv-bench}
for tool in "$@"; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y nginx-light wrk valgrind strace" >&2; exit 2; }
done
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
# NO_BUILD=1: measure the binaries given (PORTICO_BIN) without building the release profile.
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet -p portico --bins --example proxy_floor

tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The backend every bench proxies to: nginx, one worker, a small JSON body on 127.0.0.1:18081
# (the same as ../shared/bench/nginx_anchor.sh's).
start_backend() {
  cat >"$tmp/backend.conf" <<CONF
worker_processes 1; daemon off; pid $tmp/b.pid; error_log $tmp/b.err;
events { worker_connections 4096; }
http { access_log off;
  server { listen 127.0.0.1:18081;
    location / { default_type application/json; return 200 '{"ok":true,"service":"backend","n":12345}'; } } }
CONF
  nginx -c "$tmp/backend.conf" -p "$tmp" &
  sleep 0.3
}

# The reference proxy's configuration: nginx, one worker, upstream keep-alive to the backend.
# Args: port, then any extra main-context directives (instructions.sh runs it as one process).
nginx_proxy_conf() {
  cat <<CONF
worker_processes 1; daemon off; pid $tmp/p-$1.pid; error_log $tmp/p-$1.err; ${2:-}
events { worker_connections 4096; }
http { access_log off;
  upstream be { server 127.0.0.1:18081; keepalive 64; }
  server { listen 127.0.0.1:$1;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
}

# The reference proxy on 127.0.0.1:18083. Sets NGINX_WORKER to the worker's pid (whose CPU
# time the benches read).
start_nginx_proxy() {
  nginx_proxy_conf 18083 >"$tmp/proxy.conf"
  nginx -c "$tmp/proxy.conf" -p "$tmp" &
  sleep 0.5
  NGINX_WORKER=$(pgrep -P "$(cat "$tmp/p-18083.pid")" | head -1)
}

# Starts Portico (CMD: a binary, maybe with a prefix such as `env VAR=1`) on a free port with
# its own data dir NAME, and waits until it answers. Sets `port` and `ppid`.
start_portico() { # cmd name
  port=$(free_port)
  # shellcheck disable=SC2086 # the command may carry a prefix.
  PORTICO_LOG=warn $1 serve --listen "127.0.0.1:$port" --data-dir "$tmp/data-$2" >"$tmp/$2.log" 2>&1 &
  ppid=$!
  for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/_portico/health" && break; sleep 0.05; done
}

# utime+stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# One wrk run of D seconds (default 5) on CONN connections (default 16) against a URL, with
# the serving process's CPU time per request: prints `label req/s us/request`.
measure() { # label pid url [wrk args...]
  local label=$1 pid=$2 url=$3 c0 c1 out
  shift 3
  c0=$(cpu_ticks "$pid")
  out=$(wrk -t1 -c"${CONN:-16}" -d"${D:-5}s" "$@" "$url")
  c1=$(cpu_ticks "$pid")
  awk -v l="$label" -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" \
    '/requests in/ { n = $1 } /Requests\/sec/ { r = $2 }
     END { printf "%-18s %9.1f req/s %7.1f us/request\n", l, r, d * 1e6 / hz / n }' <<<"$out"
}
