"""multipart/mixed bodies: statements with their attachments (xAPI Communication 1.5.2).

The first part is the statements (application/json); each further part is one
attachment's bytes, named by its ``X-Experience-API-Hash`` (SHA-256, hex).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from lat.lrs.errors import bad_request


@dataclass
class Part:
    """One part of a multipart body: its headers and bytes."""

    headers: dict[str, str]  # lower-case names
    body: bytes


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a multipart Content-Type (400 when there is none)."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary" and value:
            return value.strip().strip('"')
    raise bad_request("multipart/mixed request without a boundary parameter in Content-Type")


def parse(body: bytes, content_type: str) -> list[Part]:
    """The parts of a multipart body (400 when it is not well formed)."""
    delimiter = b"--" + boundary_of(content_type).encode()
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise bad_request("multipart/mixed body is not well formed: missing parts or the closing boundary")
    parts = []
    for chunk in chunks[1:-1]:
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise bad_request("multipart/mixed part without the blank line that ends its headers")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        parts.append(Part(_headers(head), data))
    return parts


def _headers(head: bytes) -> dict[str, str]:
    headers = {}
    for line in head.decode("latin-1").split("\r\n"):
        if line.strip():
            name, sep, value = line.partition(":")
            if not sep:
                raise bad_request(f"multipart/mixed part header line {line!r} has no ':'")
            headers[name.strip().lower()] = value.strip()
    return headers


def attachment_parts(parts: list[Part], version: int) -> dict[str, Part]:
    """Attachment parts by their hash, each checked (400 when a hash does not match its bytes)."""
    found = {}
    for part in parts:
        sha2 = part.headers.get("x-experience-api-hash")
        if not sha2:
            raise bad_request("multipart/mixed attachment part without an X-Experience-API-Hash header")
        encoding = part.headers.get("content-transfer-encoding")
        if (encoding is None and version == 1) or (encoding is not None and encoding.lower() != "binary"):
            raise bad_request(f"multipart/mixed attachment part needs 'Content-Transfer-Encoding: binary'{f', not {encoding!r}' if encoding else ''}")
        if hashlib.sha256(part.body).hexdigest() != sha2.lower():
            raise bad_request(f"attachment part's X-Experience-API-Hash {sha2} is not the SHA-256 of its content")
        found[sha2.lower()] = part
    return found


def build(json_body: bytes, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed response: the JSON, then each (sha2, content type, bytes); returns (body, Content-Type)."""
    boundary = secrets.token_hex(16)
    out = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), json_body, b"\r\n"]
    for sha2, content_type, content in attachments:
        out.append(f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n".encode())
        out += [content, b"\r\n"]
    out.append(f"--{boundary}--".encode())
    return b"".join(out), f'multipart/mixed; boundary="{boundary}"'
