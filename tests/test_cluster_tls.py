"""Cluster mode over TLS: a private PostgreSQL that takes only TLS connections, with a
certificate from a CA this test makes (openssl). Portico reaches it with `sslmode=require` and
the CA in `database_ca_file`, verifies the server's certificate (a server it cannot verify is
refused: no connection, a clear error), and keeps at most `database_pool_size` connections.
"""
import os
import shutil
import subprocess

import pytest
import requests

from conftest import make_client
from portico_server import Server, psql
from private_pg import PrivatePostgres


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(dir):
    """A CA, and a certificate it signs for localhost (the name Portico's URL gives)."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
            "-keyout", "ca.key", "-out", "ca.pem", cwd=dir)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "server.key", "-out", "server.csr", cwd=dir)
    with open(os.path.join(dir, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem", cwd=dir)


@pytest.fixture(scope="module")
def tls_pg():
    def setup(pg):
        make_certificates(pg.dir)
        for f in ("server.key", "server.pem"):
            shutil.copy(os.path.join(pg.dir, f), os.path.join(pg.data, f))
            os.chmod(os.path.join(pg.data, f), 0o600)
            if pg.as_user:
                shutil.chown(os.path.join(pg.data, f), "postgres")
        with open(os.path.join(pg.data, "postgresql.conf"), "a") as f:
            f.write("ssl = on\nssl_cert_file = 'server.pem'\nssl_key_file = 'server.key'\n")
        # TLS only over TCP: a connection in the clear is refused by the server itself.
        with open(os.path.join(pg.data, "pg_hba.conf"), "w") as f:
            f.write("local all all trust\n"
                    "hostssl all all 127.0.0.1/32 trust\n"
                    "hostnossl all all 127.0.0.1/32 reject\n")

    pg = PrivatePostgres(setup=setup)
    # psql (libpq) asks for TLS by itself (sslmode=prefer), so it gets in.
    psql("CREATE DATABASE cluster", server=pg.url)
    yield pg
    pg.close()


def node(pg, config, query="sslmode=require"):
    url = f"postgres://postgres@localhost:{pg.port}/cluster?{query}"
    return Server(database_url=url, config=config)


def test_a_node_reaches_postgresql_over_verified_tls_with_its_pool_size(tls_pg):
    ca = os.path.join(tls_pg.dir, "ca.pem")
    n = node(tls_pg, f'database_ca_file = "{ca}"\ndatabase_pool_size = 3\n').start()
    try:
        c = make_client(n)
        api_id = c.create_rest_api(name="over-tls")["id"]
        assert c.get_rest_api(restApiId=api_id)["name"] == "over-tls"
        metrics = requests.get(n.url + "/_portico/metrics", timeout=5).text
        assert "portico_store_pool_max 3" in metrics, metrics
        # The server says the node's connections are encrypted.
        out = psql("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                   "WHERE a.application_name = 'portico' AND s.ssl", server=tls_pg.url)
        assert int(out.strip()) >= 1, out
    finally:
        n.close()


def test_a_server_whose_certificate_is_not_trusted_is_refused(tls_pg):
    n = node(tls_pg, "")
    with pytest.raises(RuntimeError) as e:
        n.start()
    n.close()
    text = str(e.value)
    assert "cannot open the PostgreSQL store" in text and "certificate" in text.lower(), text


def test_sslmode_disable_is_refused_by_a_tls_only_server_with_its_reason(tls_pg):
    ca = os.path.join(tls_pg.dir, "ca.pem")
    n = node(tls_pg, f'database_ca_file = "{ca}"\n', query="sslmode=disable")
    with pytest.raises(RuntimeError) as e:
        n.start()
    n.close()
    assert "pg_hba.conf" in str(e.value) and "no encryption" in str(e.value), str(e.value)


@pytest.mark.parametrize("config, error", [
    ("database_pool_size = 0\n", "database_pool_size must be between 1 and 1000, not 0"),
    ('database_ca_file = "/nonexistent/ca.pem"\n', "database_ca_file /nonexistent/ca.pem"),
])
def test_bad_database_settings_stop_the_start_with_their_reason(config, error):
    n = Server(config=config)
    with pytest.raises(RuntimeError) as e:
        n.start()
    n.close()
    assert error in str(e.value), str(e.value)
