"""The sample portal's own certificate authority, for its https service host (issue 16, part 4).

A real portal often has a second host of its own over https (a 政务服务 / 在线办事 platform) whose
certificate nobody renews in time. The demo plants that case on loopback: a private CA made
here (the way an intranet portal's own CA is trusted through ``[fetch] ca_bundle``) signs a
certificate for the service host (127.0.0.3) that expires in a few days, so the audit's
certificate check finds "不足 7 天" with the chain verified, not a self-signed error.

Made with ``cryptography`` (a main dependency: the certificate check parses with it), with
elliptic-curve keys, so making both takes milliseconds and needs no network and no test package.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DemoCertificates", "make_certificates"]

CA_NAME = "sitecheck 示例门户根证书（仅用于演示）"
# The service host's address (demo/server.py SERVICE_HOST) and the fallback where only 127.0.0.1
# can be bound.
SERVICE_ADDRESSES = ("127.0.0.3", "127.0.0.1")


@dataclass(frozen=True, slots=True)
class DemoCertificates:
    """A server context for the service host and the CA file the crawler is told to trust."""

    server_context: ssl.SSLContext
    ca_bundle: Path
    not_after: dt.datetime


def make_certificates(directory: Path, days: int, now: dt.datetime | None = None) -> DemoCertificates:
    """A CA and a certificate for the service host valid for ``days`` more days, written to ``directory``.

    ``ca.pem`` is the bundle to trust; the server's key and chain are written beside it because
    :meth:`ssl.SSLContext.load_cert_chain` reads files only.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = now or dt.datetime.now(dt.UTC)
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    # Issued a year ago, the way a real one that nobody renewed looks.
    not_after = (now + dt.timedelta(days=days)).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVICE_ADDRESSES[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(days=365))
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(address)) for address in SERVICE_ADDRESSES]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_path = directory / "ca.pem"
    chain_path = directory / "service-chain.pem"
    key_path = directory / "service-key.pem"
    ca_path.write_bytes(ca_cert.public_bytes(pem))
    # The leaf alone, as servers send it under a root (the root is what visitors already trust).
    chain_path.write_bytes(cert.public_bytes(pem))
    key_path.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain_path, key_path)
    return DemoCertificates(server_context=context, ca_bundle=ca_path, not_after=not_after)
