"""Certificates made in the test (python `cryptography`), and a local HTTPS backend (python
`ssl`) that records the SNI it was asked for and the client certificate it was shown."""
import datetime
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert, key):
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def make_cert(cn, dns=(), ips=(), issuer=None, ca=False):
    """A certificate for `cn` (SANs `dns` and `ips`), self-signed unless `issuer` is given as
    (cert, key). Returns (cert, key) objects."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    signer_cert, signer_key = issuer if issuer else (None, key)
    b = (x509.CertificateBuilder()
         .subject_name(_name(cn))
         .issuer_name(signer_cert.subject if signer_cert else _name(cn))
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(now + datetime.timedelta(days=2))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    sans = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                          content_commitment=False, key_encipherment=False,
                                          data_encipherment=False, key_agreement=False,
                                          encipher_only=False, decipher_only=False), critical=True)
    return b.sign(signer_key, hashes.SHA256()), key


def write_pem(path, cert, key=None):
    cert_pem, key_pem = _pem(cert, key) if key else (cert.public_bytes(serialization.Encoding.PEM), b"")
    with open(path, "wb") as f:
        f.write(cert_pem + key_pem)
    return path


class HttpsBackend:
    """A threaded HTTPS server on a free loopback port presenting `cert_file` (certificate and
    key in one PEM). With `client_ca` (PEM text), it requires a client certificate issued by
    it. Every request answers JSON: path, the SNI asked for, the client certificate's subject.
    Handshakes that fail are recorded in `failures`."""

    def __init__(self, cert_file, client_ca=None):
        self.snis = []
        self.failures = []
        self.requests = 0
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert_file)
        if client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cadata=client_ca)
        ctx.sni_callback = lambda sock, name, _ctx: self.snis.append(name)
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *a):
                pass

            def do_GET(self):
                backend.requests += 1
                peer = self.connection.getpeercert() or {}
                subject = {k: v for rdn in peer.get("subject", ()) for (k, v) in rdn}
                out = json.dumps({"path": self.path, "sni": backend.snis[-1] if backend.snis else None,
                                  "peer_subject": subject}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request, client_address):
                # The handshake runs on the connection's own thread, not the accept loop.
                try:
                    tls = ctx.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    backend.failures.append(str(e))
                    return
                try:
                    Handler(tls, client_address, self)
                except (ssl.SSLError, OSError) as e:
                    backend.failures.append(str(e))

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
