"""The clients' RSA keys. The service stores the public half only (ADR 0012)."""

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# NHS APIs ask for 4096-bit RSA keys; a key given by a client may not be shorter than 2048.
NEW_KEY_BITS = 4096
SHORTEST_KEY_BITS = 2048


class InvalidPublicKey(ValueError):
    pass


def new_key_pair():
    """(private key PEM, public key PEM) of a new RSA key, as text."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=NEW_KEY_BITS)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return private_pem.decode(), public_pem(private_key.public_key())


def public_pem(public_key):
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def checked_public_key(text):
    """The PEM of an RSA public key of at least SHORTEST_KEY_BITS, normalised; refuses
    anything else, a private key above all (it must never be stored)."""
    if "PRIVATE KEY" in text:
        raise InvalidPublicKey("That is a private key: give the public key only.")
    try:
        key = serialization.load_pem_public_key(text.encode())
    except (ValueError, UnsupportedAlgorithm) as error:
        raise InvalidPublicKey("That is not a PEM public key.") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidPublicKey("The key must be an RSA key (assertions are signed RS512).")
    if key.key_size < SHORTEST_KEY_BITS:
        raise InvalidPublicKey(f"The key must have at least {SHORTEST_KEY_BITS} bits.")
    return public_pem(key)
