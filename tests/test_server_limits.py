"""Listener limits for a port that may face the internet: the request-head timeout
(`header_read_timeout_secs`), the connection cap (`max_connections`), and their validation.

Raw sockets throughout, so that the test controls exactly what is sent and when."""
import socket
import subprocess
import time

import pytest

from portico_server import CONFIG, Server, binary

HEAD_TIMEOUT = 2
MAX_CONNECTIONS = 4
HEALTH = b"GET /_portico/health HTTP/1.1\r\nHost: portico\r\n\r\n"


def connect(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(sock):
    """One HTTP/1.1 response with a Content-Length body: (status, headers, body). Raises
    ConnectionError if the server closes the connection before a whole response."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {buf!r}")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed mid-body")
        body += chunk
    return status, headers, body


def read_to_end(sock):
    """Everything the server sends until it closes; a reset counts as a close."""
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except ConnectionResetError:
        return data


def trickle(sock, data, every):
    """Send `data` one byte every `every` seconds, watching for the server to close the
    connection (or answer) in between. Returns (seconds from the call to the close, bytes
    sent, what the server sent); the close time is None if all of `data` went out first."""
    start = time.monotonic()
    for sent, byte in enumerate(data):
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - start, sent, b""
        if sent + 1 == len(data):
            break
        sock.settimeout(every)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue  # the interval passed with the connection open: next byte
        except ConnectionResetError:
            chunk = b""
        elapsed = time.monotonic() - start
        sock.settimeout(10)
        return elapsed, sent + 1, chunk + (read_to_end(sock) if chunk else b"")
    sock.settimeout(10)
    return None, len(data), b""


def wait_closed(sock, limit):
    """Seconds until the server closes `sock` without sending anything (fails if it answers)."""
    start = time.monotonic()
    sock.settimeout(limit)
    assert read_to_end(sock) == b"", "the server answered instead of closing"
    return time.monotonic() - start


@pytest.fixture(scope="module")
def slow_heads():
    # Top-level keys go before CONFIG's [[credentials]] tables.
    s = Server(config=f"header_read_timeout_secs = {HEAD_TIMEOUT}\n" + CONFIG).start()
    yield s
    s.close()


@pytest.fixture(scope="module")
def capped():
    # A long head timeout, so that connections held idle are not cut by it.
    s = Server(config=f"max_connections = {MAX_CONNECTIONS}\nheader_read_timeout_secs = 60\n" + CONFIG).start()
    yield s
    s.close()


# -- header_read_timeout_secs ----------------------------------------------------------------

def test_a_trickled_request_head_is_cut_off_at_the_timeout(slow_heads):
    """One byte a second never completes the head within 2 s: hyper closes the connection at
    the timeout, without an answer (no 408), and not before it."""
    with connect(slow_heads) as s:
        elapsed, sent, received = trickle(s, HEALTH, every=1.0)
    assert elapsed is not None, "the whole head went out one byte a second without a cut"
    assert received == b"", received
    assert HEAD_TIMEOUT - 0.1 <= elapsed <= HEAD_TIMEOUT + 3, elapsed
    assert 2 <= sent < len(HEALTH)


def test_the_timeout_is_for_the_whole_head_not_between_bytes(slow_heads):
    """A head that arrives slowly but completes in time is served."""
    with connect(slow_heads) as s:
        elapsed, sent, received = trickle(s, HEALTH, every=0.02)
        assert elapsed is None, received
        status, _, body = read_response(s)
    assert status == 200 and b'"ok"' in body


def test_a_silent_connection_is_closed_at_the_timeout(slow_heads):
    with connect(slow_heads) as s:
        elapsed = wait_closed(s, HEAD_TIMEOUT + 5)
    assert HEAD_TIMEOUT - 0.1 <= elapsed <= HEAD_TIMEOUT + 3, elapsed


def test_a_kept_alive_connections_next_head_has_the_same_timeout(slow_heads):
    """The clock restarts when a response has gone out: the next request's head (and so an idle
    kept-alive connection) gets the same time, no more."""
    with connect(slow_heads) as s:
        s.sendall(HEALTH)
        assert read_response(s)[0] == 200
        # A second request on the same connection, well within the time, is served.
        s.sendall(HEALTH)
        assert read_response(s)[0] == 200
        elapsed, sent, received = trickle(s, HEALTH, every=1.0)
    assert elapsed is not None and received == b"", received
    assert HEAD_TIMEOUT - 0.1 <= elapsed <= HEAD_TIMEOUT + 3, elapsed


# -- max_connections -------------------------------------------------------------------------

def held_connection(server, deadline):
    """A kept-alive connection that the server has accepted and answered, so it holds one of
    the `max_connections` slots. A connection closed just before (the harness's readiness
    probe, one the test closed) may still hold its slot for a moment: retry until `deadline`."""
    while True:
        s = connect(server)
        s.sendall(HEALTH)
        try:
            status, headers, _ = read_response(s)
        except ConnectionError:
            status = None
        if status == 200:
            return s
        s.close()
        assert status in (503, None), status
        assert time.monotonic() < deadline, "no connection slot became free"
        time.sleep(0.02)  # polling for the server to see the earlier close


def assert_refused(server):
    """A connection over the cap hears a 503 with `Connection: close`, then the close."""
    with connect(server) as s:
        s.settimeout(10)
        data = read_to_end(s)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503 "), data
    assert b"connection: close" in head.lower(), data
    assert body == b'{"message":"Too many connections"}', data


def test_connections_over_the_cap_are_refused_without_disturbing_the_others(capped):
    deadline = time.monotonic() + 10
    held = [held_connection(capped, deadline) for _ in range(MAX_CONNECTIONS)]
    try:
        # The cap is across workers (the suite runs two): every further one is refused, whichever
        # worker it would have gone to.
        for _ in range(3):
            assert_refused(capped)
        # The established connections are untouched: each still completes requests.
        for s in held:
            s.sendall(HEALTH)
            assert read_response(s)[0] == 200
        # Closing one frees its slot: a new connection is served again (once the server has
        # seen the close).
        held.pop(0).close()
        held.append(held_connection(capped, time.monotonic() + 10))
        assert_refused(capped)
    finally:
        for s in held:
            s.close()


def test_a_refused_client_that_already_sent_its_request_still_gets_an_answer(capped):
    """A client that writes its request at once, as SDKs do, sees the 503 (or at worst a reset
    if its bytes arrive while the refusal is being written), never a hang."""
    deadline = time.monotonic() + 10
    held = [held_connection(capped, deadline) for _ in range(MAX_CONNECTIONS)]
    try:
        answers = []
        for _ in range(5):
            with connect(capped) as s:
                s.settimeout(10)
                s.sendall(HEALTH)
                answers.append(read_to_end(s))
        for data in answers:
            assert data == b"" or data.startswith(b"HTTP/1.1 503 "), data
        assert any(data.startswith(b"HTTP/1.1 503 ") for data in answers), answers
    finally:
        for s in held:
            s.close()


def test_sigterm_closes_idle_connections_at_once():
    """Graceful shutdown still works with upgradeable connections: idle kept-alive connections
    are closed right away (well before the 10 s drain limit) and the process exits 0."""
    s = Server().start()
    try:
        held = [held_connection(s, time.monotonic() + 10) for _ in range(3)]
        start = time.monotonic()
        assert s.stop() == 0
        assert time.monotonic() - start < 5
        for c in held:
            c.settimeout(5)
            assert read_to_end(c) == b""
            c.close()
    finally:
        s.close()


# -- validation at startup -------------------------------------------------------------------

@pytest.mark.parametrize("text, says", [
    ("max_connections = 0", "max_connections = 0: must be between 1 and 1048576"),
    ("header_read_timeout_secs = 0", "header_read_timeout_secs = 0: must be between 1 and 3600"),
    ("max_connections = -4", "max_connections"),
    ("max_conections = 4", "unknown field `max_conections`"),
    ("header_read_timeout = 2", "unknown field `header_read_timeout`"),
])
def test_bad_limits_are_refused_at_startup(tmp_path, text, says):
    cfg = tmp_path / "portico.toml"
    cfg.write_text(text + "\n")
    p = subprocess.run([binary(), "serve", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path),
                        "--config", str(cfg)], capture_output=True, text=True, timeout=10)
    assert p.returncode == 2, p.stderr
    assert says in p.stderr, p.stderr
