"""Certificates made in the test run (python `cryptography`): a CA, leaves it signs, PEM text."""
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class Pem:
    def __init__(self, cert, key):
        self.cert_obj, self.key_obj = cert, key
        self.cert = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.key = key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()

    def write(self, folder, stem):
        cert_path, key_path = f"{folder}/{stem}.crt", f"{folder}/{stem}.key"
        with open(cert_path, "w") as f:
            f.write(self.cert)
        with open(key_path, "w") as f:
            f.write(self.key)
        return cert_path, key_path


def ca(cn="Portico Test CA"):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return Pem(cert, key)


def leaf(issuer, cn, dns=(), client=False):
    """A certificate for `cn` (and `dns` names) signed by `issuer`; `client` for TLS clients."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    usage = x509.ExtendedKeyUsageOID.CLIENT_AUTH if client else \
        x509.ExtendedKeyUsageOID.SERVER_AUTH
    b = (x509.CertificateBuilder().subject_name(_name(cn))
         .issuer_name(issuer.cert_obj.subject).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if dns:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]),
                            critical=False)
    return Pem(b.sign(issuer.key_obj, hashes.SHA256()), key)
