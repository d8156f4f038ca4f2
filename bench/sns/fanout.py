"""SNS fan-out latency: publish to a topic with SQS queue subscriptions (raw delivery) and time
each message from just before its Publish request is written to the moment a long-polling
receiver of each queue has it.

One publisher thread sends `messages` Publish requests (query protocol, Action=Publish, one
keep-alive connection) at a steady `rate`; each message's body carries the publisher's
CLOCK_MONOTONIC time in ns. One receiver thread per queue (JSON protocol, keep-alive) loops on
ReceiveMessage (MaxNumberOfMessages 10, WaitTimeSeconds 2) and records, for every message, the
time its answer was read minus the time in its body. Receipt handles go to a separate deleter
thread (DeleteMessageBatch on its own connections), so deleting never delays the next receive.
The first `warmup` messages are published and received but left out of the figures.

Used by bench/run.py (`sns`); also runnable alone against a running server:
  python3 bench/sns/fanout.py http://127.0.0.1:4566 --messages 2000 --rate 500
"""
import http.client
import json
import queue
import re
import threading
import time
import urllib.parse

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/%s/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
BODY_RE = re.compile(r"t=(\d+) seq=(\d+)")


def _conn(endpoint, timeout=30):
    u = urllib.parse.urlsplit(endpoint)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def _sqs(conn, target, payload):
    conn.request("POST", "/", body=json.dumps(payload), headers={
        "Authorization": AUTH % "sqs", "X-Amz-Date": "20260101T000000Z",
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + target})
    r = conn.getresponse()
    return r.status, r.read()


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def setup(sns, sqs, queues=10, prefix="bench-fanout"):
    """Creates a topic and `queues` queues subscribed to it with raw delivery (boto3 clients).
    Returns (topic_arn, [queue_url])."""
    topic = sns.create_topic(Name=prefix)["TopicArn"]
    urls = []
    for i in range(queues):
        url = sqs.create_queue(QueueName="%s-%d" % (prefix, i))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)
        urls.append(url)
    return topic, urls


def measure(endpoint, topic_arn, queue_urls, messages, rate, warmup=0, drain_seconds=15):
    """Returns a dict of figures (latencies in µs)."""
    total = warmup + messages
    stop = threading.Event()
    lock = threading.Lock()
    latencies = []          # µs, counted messages only
    seen = [set() for _ in queue_urls]
    duplicates = [0]
    errors = []
    deletes = queue.Queue()

    def receiver(i, url):
        conn = _conn(endpoint)
        got = seen[i]
        while not stop.is_set() and len(got) < total:
            try:
                status, body = _sqs(conn, "ReceiveMessage", {
                    "QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 2,
                    "VisibilityTimeout": 60})
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors.append("receive %d: %r" % (i, e))
                conn.close()
                conn = _conn(endpoint)
                continue
            now = time.monotonic_ns()
            if status != 200:
                with lock:
                    errors.append("receive %d: %d %s" % (i, status, body[:200]))
                time.sleep(0.05)
                continue
            msgs = json.loads(body).get("Messages") or []
            mine, handles = [], []
            for m in msgs:
                handles.append(m["ReceiptHandle"])
                k = BODY_RE.search(m["Body"])
                if not k:
                    with lock:
                        errors.append("queue %d: unexpected body %r" % (i, m["Body"][:100]))
                    continue
                seq = int(k.group(2))
                if seq in got:
                    duplicates[0] += 1
                    continue
                got.add(seq)
                if seq >= warmup:
                    mine.append((now - int(k.group(1))) / 1000.0)
            if mine:
                with lock:
                    latencies.extend(mine)
            if handles:
                deletes.put((url, handles))
        conn.close()

    def deleter():
        conns = {}
        while True:
            item = deletes.get()
            if item is None:
                break
            url, handles = item
            conn = conns.get(url) or _conn(endpoint)
            conns[url] = conn
            try:
                status, body = _sqs(conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                    {"Id": str(j), "ReceiptHandle": h} for j, h in enumerate(handles)]})
                if status != 200 or b'"Failed":[{' in body.replace(b" ", b""):
                    with lock:
                        errors.append("delete: %d %s" % (status, body[:200]))
            except (OSError, http.client.HTTPException) as e:
                conns.pop(url).close()
                with lock:
                    errors.append("delete: %r" % e)
        for c in conns.values():
            c.close()

    threads = [threading.Thread(target=receiver, args=(i, u), daemon=True)
               for i, u in enumerate(queue_urls)]
    dthread = threading.Thread(target=deleter, daemon=True)
    for t in threads:
        t.start()
    dthread.start()
    time.sleep(0.5)  # let every receiver's first long poll arrive before the first publish

    pub = _conn(endpoint)
    publish_us = []
    publish_errors = 0
    headers = {"Authorization": AUTH % "sns", "X-Amz-Date": "20260101T000000Z",
               "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    quoted_topic = urllib.parse.quote(topic_arn, safe="")
    interval = 1e9 / rate if rate else 0
    start = time.monotonic_ns()
    for seq in range(total):
        due = start + int(seq * interval)
        now = time.monotonic_ns()
        if due > now:
            time.sleep((due - now) / 1e9)
        t = time.monotonic_ns()
        body = ("Action=Publish&Version=2010-03-31&TopicArn=%s&Message=t%%3D%d+seq%%3D%d" %
                (quoted_topic, t, seq))
        try:
            pub.request("POST", "/", body=body, headers=headers)
            r = pub.getresponse()
            text = r.read()
            ok = r.status == 200 and b"<MessageId>" in text
        except (OSError, http.client.HTTPException) as e:
            ok, text = False, repr(e).encode()
            pub.close()
            pub = _conn(endpoint)
        if not ok:
            publish_errors += 1
            if publish_errors <= 3:
                with lock:
                    errors.append("publish %d: %s" % (seq, text[:200]))
        if seq >= warmup:
            publish_us.append((time.monotonic_ns() - t) / 1000.0)
        if seq == warmup - 1 or (warmup == 0 and seq == 0):
            counted_start = t
    end = time.monotonic_ns()
    pub.close()

    deadline = time.monotonic() + drain_seconds
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    stop.set()
    for t in threads:
        t.join(5)
    deletes.put(None)
    dthread.join(10)

    latencies.sort()
    publish_us.sort()
    counted = messages * len(queue_urls)
    received = sum(sum(1 for s in got if s >= warmup) for got in seen)
    span = (end - counted_start) / 1e9 if messages else float("nan")
    return {
        "messages": messages, "queues": len(queue_urls), "rate": rate,
        "publish_per_s": messages / span if span > 0 else float("nan"),
        "publish_p50_us": percentile(publish_us, 50), "publish_p99_us": percentile(publish_us, 99),
        "publish_errors": publish_errors,
        "expected": counted, "received": received, "missing": counted - received,
        "duplicates": duplicates[0],
        "p50_us": percentile(latencies, 50), "p90_us": percentile(latencies, 90),
        "p99_us": percentile(latencies, 99),
        "max_us": latencies[-1] if latencies else float("nan"),
        "errors": errors,
    }


def main():
    import argparse
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from run import client  # noqa: E402
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("endpoint")
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=500, help="publishes per second (0: flat out)")
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--queues", type=int, default=10)
    args = ap.parse_args()
    topic, urls = setup(client("sns", args.endpoint), client("sqs", args.endpoint), args.queues,
                        "bench-fanout-%d" % os.getpid())
    r = measure(args.endpoint, topic, urls, args.messages, args.rate, args.warmup)
    print(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
