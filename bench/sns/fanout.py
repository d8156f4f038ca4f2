"""SNS fan-out latency: publish to a topic with SQS queue subscriptions (raw delivery) and time
each message from just before its Publish request is written to the moment a long-polling
receiver of each queue has it.

The publisher (this process) sends `messages` Publish requests (query protocol,
Action=Publish, one keep-alive connection) at a steady `rate`; each message's body carries the
publisher's CLOCK_MONOTONIC time in ns. One receiver process per queue (JSON protocol,
keep-alive) loops on ReceiveMessage (MaxNumberOfMessages 10, WaitTimeSeconds 1) and records,
for every message, the time its answer was read minus the time in its body. Receipt handles go
to a deleter thread of that process (DeleteMessageBatch of up to 10 on its own connection), so
deleting does not hold up the next receive. Processes, not threads: with one GIL, 10 receivers
waking at once for the same message delay each other and the publisher by milliseconds.
The first `warmup` messages are published and received but left out of the figures.

This Python generator costs about 2.5 times nimbus's CPU per publish (11 processes parsing
JSON), so at 500 publishes/s on 2 cores it starves the server it measures. bench/run.py uses
the Node generator (fanout.mjs, measure_node below) by default; this one stays for machines
without Node and for comparison (`--fanout-generator python`).

Used by bench/run.py (`sns`); also runnable alone against a running server:
  python3 bench/sns/fanout.py http://127.0.0.1:4566 --messages 2000 --rate 500 [--node]
"""
import http.client
import json
import os
import subprocess
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


def _receiver(endpoint, i, url, total, warmup, stop, ready, out):
    """One queue's receiver, in its own process (so that neither the other receivers nor the
    publisher wait for its GIL). Puts (i, latencies µs, received seqs, duplicates, errors)."""
    import sys
    sys.setswitchinterval(0.0005)
    latencies, got, errors = [], set(), []
    duplicates = 0
    deletes = queue.Queue()

    def deleter():
        # Handles are deleted ten at a time, or 50 ms after the oldest one waiting: a receive
        # mostly brings one message, and one delete request per message cost the receivers as
        # much CPU as their receives (on 2 cores the load generator then starves the server).
        conn = _conn(endpoint)
        pending, oldest, done = [], 0.0, False
        while not done or pending:
            if not done and len(pending) < 10:
                wait = 0.05 if not pending else max(0.0, oldest + 0.05 - time.monotonic())
                try:
                    item = deletes.get(timeout=wait)
                    if item is None:
                        done = True
                    else:
                        if not pending:
                            oldest = time.monotonic()
                        pending.extend(item)
                except queue.Empty:
                    pass
            if not pending:
                continue
            if len(pending) < 10 and not done and time.monotonic() < oldest + 0.05:
                continue
            handles, pending = pending[:10], pending[10:]
            oldest = time.monotonic()
            try:
                status, body = _sqs(conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                    {"Id": str(j), "ReceiptHandle": h} for j, h in enumerate(handles)]})
                if status != 200 or b'"Failed":[{' in body.replace(b" ", b""):
                    errors.append("delete %d: %d %s" % (i, status, body[:200]))
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = _conn(endpoint)
                errors.append("delete %d: %r" % (i, e))
        conn.close()

    dthread = threading.Thread(target=deleter, daemon=True)
    dthread.start()
    conn = _conn(endpoint)
    ready.release()
    while not stop.is_set() and len(got) < total:
        try:
            status, body = _sqs(conn, "ReceiveMessage", {
                "QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1,
                "VisibilityTimeout": 60})
        except (OSError, http.client.HTTPException) as e:
            errors.append("receive %d: %r" % (i, e))
            conn.close()
            conn = _conn(endpoint)
            continue
        now = time.monotonic_ns()
        if status != 200:
            errors.append("receive %d: %d %s" % (i, status, body[:200]))
            time.sleep(0.05)
            continue
        msgs = json.loads(body).get("Messages") or []
        handles = []
        for m in msgs:
            handles.append(m["ReceiptHandle"])
            k = BODY_RE.fullmatch(m["Body"])  # raw delivery: the body is the message
            if not k:
                errors.append("queue %d: unexpected body %r" % (i, m["Body"][:100]))
                continue
            seq = int(k.group(2))
            if seq in got:
                duplicates += 1
                continue
            got.add(seq)
            if seq >= warmup:
                latencies.append((now - int(k.group(1))) / 1000.0)
        if handles:
            deletes.put(handles)
    conn.close()
    deletes.put(None)
    dthread.join(10)
    out.put((i, latencies, sum(1 for s in got if s >= warmup), duplicates, errors))


def measure(endpoint, topic_arn, queue_urls, messages, rate, warmup=0, drain_seconds=15):
    """Returns a dict of figures (latencies in µs). CLOCK_MONOTONIC is one clock for every
    process of the machine, so the receivers' times compare with the publisher's."""
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    cpu0 = _own_and_children_cpu()
    total = warmup + messages
    stop, ready, out = ctx.Event(), ctx.Semaphore(0), ctx.Queue()
    procs = [ctx.Process(target=_receiver, args=(endpoint, i, u, total, warmup, stop, ready, out),
                         daemon=True) for i, u in enumerate(queue_urls)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire(timeout=30)
    time.sleep(0.3)  # let every receiver's first long poll arrive before the first publish

    errors = []
    pub = _conn(endpoint)
    publish_us = []
    publish_errors = 0
    headers = {"Authorization": AUTH % "sns", "X-Amz-Date": "20260101T000000Z",
               "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    quoted_topic = urllib.parse.quote(topic_arn, safe="")
    interval = 1e9 / rate if rate else 0
    start = time.monotonic_ns()
    counted_start = start
    for seq in range(total):
        due = start + int(seq * interval)
        now = time.monotonic_ns()
        if due > now:
            time.sleep((due - now) / 1e9)
        t = time.monotonic_ns()
        if seq == warmup:
            counted_start = t
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
                errors.append("publish %d: %s" % (seq, text[:200]))
        if seq >= warmup:
            publish_us.append((time.monotonic_ns() - t) / 1000.0)
    end = time.monotonic_ns()
    pub.close()

    latencies, received, duplicates = [], 0, 0
    deadline = time.monotonic() + drain_seconds
    for n in range(len(procs)):
        try:
            _, lat, got, dup, errs = out.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            stop.set()  # the rest stop after their current long poll (1 s)
            try:
                _, lat, got, dup, errs = out.get(timeout=10)
            except queue.Empty:
                errors.append("a receiver did not finish")
                continue
        latencies.extend(lat)
        received += got
        duplicates += dup
        errors.extend(errs)
    stop.set()
    for p in procs:
        p.join(5)
        if p.is_alive():
            p.terminate()

    cpu = _own_and_children_cpu() - cpu0
    latencies.sort()
    publish_us.sort()
    counted = messages * len(queue_urls)
    span = (end - counted_start) / 1e9 if messages else float("nan")
    return {
        "messages": messages, "queues": len(queue_urls), "rate": rate,
        "publish_per_s": messages / span if span > 0 else float("nan"),
        "publish_p50_us": percentile(publish_us, 50), "publish_p99_us": percentile(publish_us, 99),
        "publish_errors": publish_errors,
        "expected": counted, "received": received, "missing": counted - received,
        "duplicates": duplicates,
        "p50_us": percentile(latencies, 50), "p90_us": percentile(latencies, 90),
        "p99_us": percentile(latencies, 99),
        "max_us": latencies[-1] if latencies else float("nan"),
        "errors": errors,
        "generator": "python", "generator_cpu_s": cpu, "published": total,
    }


def _own_and_children_cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


NODE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fanout.mjs")


def measure_node(endpoint, topic_arn, queue_urls, messages, rate, warmup=0, drain_seconds=15):
    """measure() with the Node generator (fanout.mjs): the same figures, plus its CPU time."""
    cmd = ["node", NODE_SCRIPT, "--endpoint", endpoint, "--topic", topic_arn,
           "--messages", str(messages), "--rate", str(rate), "--warmup", str(warmup),
           "--drain", str(drain_seconds)]
    for u in queue_urls:
        cmd += ["--queue", u]
    p = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=60 + drain_seconds + (warmup + messages) / max(rate, 1.0))
    if p.returncode != 0:
        raise RuntimeError("fanout.mjs failed (%d): %s" % (p.returncode, p.stderr[-2000:]))
    r = json.loads(p.stdout)
    for k, v in list(r.items()):
        if v is None:
            r[k] = float("nan")
    return r


def main():
    import argparse
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
    ap.add_argument("--node", action="store_true", help="use the Node generator (fanout.mjs)")
    args = ap.parse_args()
    topic, urls = setup(client("sns", args.endpoint), client("sqs", args.endpoint), args.queues,
                        "bench-fanout-%d" % os.getpid())
    r = (measure_node if args.node else measure)(args.endpoint, topic, urls, args.messages,
                                                 args.rate, args.warmup)
    print(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
