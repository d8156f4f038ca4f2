"""Hostile input at the edge: malformed bodies, wrong content types, huge headers and bodies,
invalid UTF-8, truncated chunked bodies, slow clients. Each gets the right error or a closed
connection, and the server keeps serving."""
import json
import socket
import threading
import time
import unittest

from nimbus_harness import NimbusTestCase

JSON_HEADERS = {"X-Amz-Target": "Kinesis_20131202.ListStreams",
                "Content-Type": "application/x-amz-json-1.1"}


class HostileInputTest(NimbusTestCase):
    def assertServing(self):
        r = self.client("sts").get_caller_identity()
        self.assertEqual(r["Account"], "000000000000")

    def raw(self, data, read=True, timeout=5):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=timeout)
        try:
            s.sendall(data)
            if not read:
                return b""
            chunks = []
            while True:
                try:
                    c = s.recv(65536)
                except socket.timeout:
                    break
                if not c:
                    break
                chunks.append(c)
                if b"\r\n\r\n" in b"".join(chunks) and not read == "all":
                    break
            return b"".join(chunks)
        finally:
            s.close()

    def test_malformed_json_is_a_serialization_error(self):
        status, _, body = self.server.http("POST", "/", b'{"Limit": ', JSON_HEADERS)
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "com.amazon.coral.service#SerializationException")
        self.assertServing()

    def test_json_of_wrong_type_is_a_serialization_error(self):
        status, _, body = self.server.http("POST", "/", b'{"Limit": "ten"}', JSON_HEADERS)
        self.assertEqual(status, 400)
        self.assertIn("SerializationException", json.loads(body)["__type"])

    def test_json_array_body_is_rejected(self):
        status, _, body = self.server.http("POST", "/", b'[1,2,3]', JSON_HEADERS)
        self.assertEqual(status, 400)
        self.assertIn("SerializationException", json.loads(body)["__type"])

    def test_invalid_utf8_in_json(self):
        status, _, body = self.server.http("POST", "/", b'{"ExclusiveStartStreamName": "\xff\xfe"}',
                                           JSON_HEADERS)
        self.assertEqual(status, 400)
        self.assertIn("SerializationException", json.loads(body)["__type"])
        self.assertServing()

    def test_deeply_nested_json(self):
        status, _, body = self.server.http("POST", "/", b"[" * 100000 + b"]" * 100000, JSON_HEADERS)
        self.assertEqual(status, 400)
        self.assertServing()

    def test_constraint_violation_is_a_validation_error(self):
        status, _, body = self.server.http("POST", "/", b'{"Limit": 0}', JSON_HEADERS)
        self.assertEqual(status, 400)
        err = json.loads(body)
        self.assertEqual(err["__type"], "ValidationException")
        self.assertEqual(err["message"], "1 validation error detected: Value '0' at 'limit' failed "
                                         "to satisfy constraint: Member must have value greater "
                                         "than or equal to 1")

    def test_query_protocol_bad_integer(self):
        status, _, body = self.server.http(
            "POST", "/", b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:"
                         b"role/x&RoleSessionName=abc&DurationSeconds=lots",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidParameterValue</Code>", body)

    def test_query_protocol_too_many_parameters(self):
        body = b"Action=GetCallerIdentity&Version=2011-06-15&" + b"&".join(
            b"p%d=1" % i for i in range(30000))
        status, _, resp = self.server.http("POST", "/", body,
                                           {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn(b"MalformedQueryString", resp)

    def test_wrong_content_type_to_query_service(self):
        status, _, body = self.server.http(
            "POST", "/?Action=GetCallerIdentity&Version=2011-06-15", b"<xml/>",
            {"Content-Type": "text/xml"})
        self.assertEqual(status, 200)  # the query string alone names the action, as on AWS
        self.assertIn(b"GetCallerIdentityResponse", body)

    def test_huge_header_is_431_and_closes(self):
        resp = self.raw(b"GET /_nimbus/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 +
                        b"\r\n\r\n")
        self.assertTrue(resp.startswith(b"HTTP/1.1 431"), resp[:100])
        self.assertServing()

    def test_declared_huge_body_is_413(self):
        resp = self.raw(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
                        b"X-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                        b"Content-Length: 1000000000\r\n\r\n{")
        self.assertTrue(resp.startswith(b"HTTP/1.1 413"), resp[:100])
        self.assertServing()

    def test_garbage_request_line_is_400(self):
        resp = self.raw(b"\x00\x01\x02 NOT HTTP\r\n\r\n")
        self.assertTrue(resp.startswith(b"HTTP/1.1 400"), resp[:100])
        self.assertServing()

    def test_truncated_chunked_body_then_close(self):
        self.raw(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
                 b"100\r\nAction=GetCall", read=False)
        self.assertServing()

    def test_bad_chunk_size_is_400(self):
        resp = self.raw(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"zz\r\nabc\r\n0\r\n\r\n")
        self.assertTrue(resp.startswith(b"HTTP/1.1 400"), resp[:100])
        self.assertServing()

    def test_slowloris_connections_do_not_block_others(self):
        socks = []
        try:
            for _ in range(200):
                s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                socks.append(s)
            t0 = time.time()
            for _ in range(20):
                self.assertServing()
            self.assertLess(time.time() - t0, 5)
            for s in socks:
                s.sendall(b"a")
            self.assertServing()
        finally:
            for s in socks:
                s.close()

    def test_many_parallel_clients(self):
        errors = []

        def worker():
            try:
                c = self.client("sts")
                for _ in range(20):
                    c.get_caller_identity()
            except Exception as e:  # noqa: BLE001 - collected and asserted below
                errors.append(e)
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()
