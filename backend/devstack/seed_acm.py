"""ACM: the API's TLS certificate (the guide's certificate_arn), imported because moto's requested certificates stay
PENDING_VALIDATION. It expires CERTIFICATE_DAYS_LEFT days after the stack's start: inside the weekly check's 30-day
warning, so the maintenance screen has a renewal to show."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from backend.devstack.names import ENVIRONMENT, PROJECT
from backend.devstack.timeline import Timeline

DOMAIN = "api.shop-management.example.com"
CERTIFICATE_DAYS_LEFT = 24
ISSUED_DAYS_AGO = 66  # a 90-day certificate


def seed(acm: Any, timeline: Timeline) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DOMAIN)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(timeline.now - timedelta(days=ISSUED_DAYS_AGO))
        .not_valid_after(timeline.now + timedelta(days=CERTIFICATE_DAYS_LEFT))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(DOMAIN)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return acm.import_certificate(
        Certificate=certificate.public_bytes(serialization.Encoding.PEM),
        PrivateKey=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        Tags=[{"Key": "Project", "Value": PROJECT}, {"Key": "Environment", "Value": ENVIRONMENT}],
    )["CertificateArn"]
