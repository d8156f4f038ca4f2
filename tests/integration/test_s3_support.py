"""Helpers shared by the S3 integration tests (no tests here): the checksums S3 computes (in
pure Python, so the tests need no CRT), a SigV4-shaped Authorization header for raw requests in
permissive mode, and aws-chunked bodies with trailers."""
import base64
import datetime
import hashlib
import zlib


def _reflected_table(poly, width):
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c & ((1 << width) - 1))
    return table


_CRC32C = _reflected_table(0x82F63B78, 32)
_CRC64NVME = _reflected_table(0x9A6C9329AC4BC9B5, 64)


def _reflected(table, width, data):
    mask = (1 << width) - 1
    c = mask
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ mask


def checksum(algorithm, data):
    """Base64 of the big-endian digest, as x-amz-checksum-* headers carry it."""
    if algorithm == "CRC32":
        raw = (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")
    elif algorithm == "CRC32C":
        raw = _reflected(_CRC32C, 32, data).to_bytes(4, "big")
    elif algorithm == "CRC64NVME":
        raw = _reflected(_CRC64NVME, 64, data).to_bytes(8, "big")
    elif algorithm == "SHA1":
        raw = hashlib.sha1(data).digest()
    elif algorithm == "SHA256":
        raw = hashlib.sha256(data).digest()
    else:
        raise ValueError(algorithm)
    return base64.b64encode(raw).decode()


def content_md5(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def sigv4_headers(host, payload_hash="UNSIGNED-PAYLOAD", region="us-east-1"):
    """Headers of a SigV4-signed request as permissive mode reads them (the signature is not
    checked there; the payload mode is)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    scope = "%s/%s/s3/aws4_request" % (now.strftime("%Y%m%d"), region)
    return {
        "Host": host,
        "x-amz-date": amz_date,
        "x-amz-content-sha256": payload_hash,
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/%s, "
                         "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=%s"
                         % (scope, "0" * 64),
    }


def chunked_with_trailer(data, trailer_name, trailer_value, chunk=64 * 1024):
    """An aws-chunked body (STREAMING-UNSIGNED-PAYLOAD-TRAILER) carrying one trailer."""
    out = b""
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    out += b"0\r\n" + ("%s:%s\r\n" % (trailer_name, trailer_value)).encode() + b"\r\n"
    return out
