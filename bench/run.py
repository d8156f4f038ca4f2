#!/usr/bin/env python3
"""Side-by-side service benchmarks: the same workload against nimbus and against moto's server
in one run, one server at a time, with wrk (2 threads, keep-alive) driving LuaJIT workloads.

  bench/run.py [--build build | --binary PATH] [--seconds 10] [--connections LIST]
               [--moto-connections N] [--no-moto] [--ephemeral] [dynamodb] [sqs] [sns] [s3] [core]

Connections default to 64 for dynamodb and to 1,16 (every operation at each) for sqs, sns and
s3. `sns` also measures publish-to-receive latency over a topic fanning out to 10 queues
(bench/sns/fanout.py). Prints, per operation: ops/s (answers that were 200 and had the body the operation must
answer), p50/p90/p99 latency, the nimbus/moto ratio, and every non-2xx answer, malformed body,
socket error or timeout. `core` runs bench/core/run.py (footprint and GetCallerIdentity).
Requests carry a SigV4-shaped Authorization header with a dummy signature: nimbus's default
permissive auth and moto both accept it without verifying (see docs/core.md).
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "sns"))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                return r.status
        except OSError:
            time.sleep(0.01)
    raise RuntimeError("no answer from " + url)


def client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        config=Config(max_pool_connections=32, retries={"max_attempts": 0},
                                      s3={"addressing_style": "path"}))


def parallel(fn, items, workers=16):
    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(fn, items):
            pass


# --- servers ---------------------------------------------------------------------------------

class Server:
    def __init__(self, name):
        self.name = name
        self.proc = None
        self.endpoint = None
        self.log_path = None
        self.data = None

    def alive(self):
        return self.proc.poll() is None

    def memory(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                s = f.read()
            rss = int(re.search(r"VmRSS:\s+(\d+) kB", s).group(1)) / 1024.0
            hwm = int(re.search(r"VmHWM:\s+(\d+) kB", s).group(1)) / 1024.0
            return rss, hwm
        except (OSError, AttributeError):
            return None

    def cpu_seconds(self):
        """User+system CPU time of the server process (all its threads)."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def stop(self):
        if self.proc and self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.data:
            shutil.rmtree(self.data, ignore_errors=True)

    def log_tail(self, lines=30):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])


def start_nimbus(binary, ephemeral, log_dir):
    s = Server("nimbus")
    port = free_port()
    s.data = tempfile.mkdtemp(prefix="nimbus-bench-")
    s.log_path = os.path.join(log_dir, "nimbus-%d.log" % port)
    args = [binary, "serve", "--port", str(port), "--data-dir", s.data, "--log-level", "warn"]
    if ephemeral:
        args.append("--ephemeral")
    s.proc = subprocess.Popen(args, stdout=open(s.log_path, "w"), stderr=subprocess.STDOUT)
    s.endpoint = "http://127.0.0.1:%d" % port
    wait_http(s.endpoint + "/_nimbus/health")
    return s


def start_moto(log_dir):
    s = Server("moto")
    port = free_port()
    s.log_path = os.path.join(log_dir, "moto-%d.log" % port)
    # moto's werkzeug server logs one line per request; keep only what is not an access line.
    s.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    s.endpoint = "http://127.0.0.1:%d" % port
    import threading

    def drain():
        with open(s.log_path, "w") as f:
            for line in s.proc.stderr:
                if '" 200 -' not in line and '" 204 -' not in line:
                    f.write(line)
    threading.Thread(target=drain, daemon=True).start()
    wait_http(s.endpoint + "/moto-api/")
    return s


# --- wrk -------------------------------------------------------------------------------------

def lua_params(params):
    parts = []
    for k, v in params.items():
        parts.append("%s = %s" % (k, json.dumps(v) if isinstance(v, str) else repr(v)))
    return "P = {" + ", ".join(parts) + "}\n"


def run_wrk(endpoint, workload, params, seconds, connections, timeout_s=10):
    with open(os.path.join(HERE, "lib", "prelude.lua")) as f:
        prelude = f.read()
    with open(workload) as f:
        body = f.read()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_params(params) + prelude + "\n" + body)
        script = f.name
    try:
        # wrk needs at least one connection per thread.
        cmd = ["wrk", "-t%d" % min(2, connections), "-c%d" % connections, "-d%ds" % seconds,
               "--timeout", "%ds" % timeout_s, "-s", script, endpoint + "/"]
        t0 = os.times()
        p = subprocess.run(cmd, capture_output=True, text=True)
        t1 = os.times()
    finally:
        os.unlink(script)
    m = re.search(r"^BENCHJSON (.*)$", p.stdout, re.M)
    if not m:
        raise RuntimeError("wrk failed (%d):\n%s\n%s" % (p.returncode, p.stdout, p.stderr))
    r = json.loads(m.group(1))
    secs = r["duration_us"] / 1e6
    ok = sum(v for k, v in r["statuses"].items() if k.startswith("2")) - r["bad"]
    r["ops"] = ok / secs
    r["units_per_s"] = r["units"] / secs
    r["non2xx"] = sum(v for k, v in r["statuses"].items() if not k.startswith("2"))
    r["socket_errors"] = sum(r["errors"][k] for k in ("connect", "read", "write", "timeout"))
    r["connections"] = connections
    r["client_cores"] = (t1.children_user + t1.children_system - t0.children_user -
                         t0.children_system) / secs
    return r


# --- services --------------------------------------------------------------------------------

class DynamoDB:
    name = "dynamodb"
    scope = "dynamodb"
    connections = "64"
    workload = os.path.join(HERE, "dynamodb", "workload.lua")
    # 1 KB items, as the DynamoDB issue's benchmark asks.
    phases = [("PutItem", {"op": "PutItem"}, None),
              ("GetItem", {"op": "GetItem"}, None),
              ("Query (100 items of 1 KB)", {"op": "Query"}, None),
              ("UpdateItem (condition, SET+ADD)", {"op": "UpdateItem"}, None),
              ("BatchWriteItem (25)", {"op": "BatchWriteItem"}, "items/s")]
    KV_ITEMS = 1000
    PARTITIONS = 20
    PER_PARTITION = 100

    def setup(self, endpoint):
        ddb = client("dynamodb", endpoint)
        ddb.create_table(TableName="bench-kv", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        ddb.create_table(TableName="bench-q", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "sk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                    {"AttributeName": "sk", "KeyType": "RANGE"}])
        for t in ("bench-kv", "bench-q"):
            ddb.get_waiter("table_exists").wait(TableName=t,
                                                WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        v = {"S": "x" * 1000}
        kv = [{"pk": {"S": "p%d" % i}, "v": v, "n": {"N": str(i)}, "c": {"N": "0"}}
              for i in range(self.KV_ITEMS)]
        q = [{"pk": {"S": "q%d" % p}, "sk": {"S": "s%03d" % j}, "v": v}
             for p in range(self.PARTITIONS) for j in range(self.PER_PARTITION)]
        batches = [("bench-kv", kv[i:i + 25]) for i in range(0, len(kv), 25)]
        batches += [("bench-q", q[i:i + 25]) for i in range(0, len(q), 25)]

        def write(b):
            r = ddb.batch_write_item(RequestItems={b[0]: [{"PutRequest": {"Item": it}}
                                                          for it in b[1]]})
            assert not r.get("UnprocessedItems"), r
        parallel(write, batches, 8)
        assert ddb.query(TableName="bench-q", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "q7"}})["Count"] == 100
        return {"kv": "bench-kv", "q": "bench-q", "kv_items": self.KV_ITEMS,
                "partitions": self.PARTITIONS}


class SQS:
    name = "sqs"
    scope = "sqs"
    connections = "1,16"  # as the SQS/SNS issue's benchmark asks
    workload = os.path.join(HERE, "sqs", "workload.lua")
    phases = [("SendMessage", {"op": "SendMessage", "queue": "$single"}, None),
              ("SendMessageBatch (10)", {"op": "SendMessageBatch", "queue": "$batch"}, "msgs/s"),
              ("Receive+DeleteBatch cycle", {"op": "ReceiveDelete", "queue": "$cycle"},
               "msgs/s")]
    BACKLOG = 1000  # --sqs-backlog; moto's ReceiveMessage costs O(backlog)

    def __init__(self, backlog=None):
        self.backlog = backlog or self.BACKLOG

    def setup(self, endpoint):
        sqs = client("sqs", endpoint)
        urls = {}
        for name in ("single", "batch", "cycle"):
            urls["$" + name] = sqs.create_queue(QueueName="bench-" + name)["QueueUrl"]

        def fill(i):
            r = sqs.send_message_batch(QueueUrl=urls["$cycle"], Entries=[
                {"Id": str(j), "MessageBody": "m" * 128 + " fill %d-%d" % (i, j)}
                for j in range(10)])
            assert not r.get("Failed"), r
        parallel(fill, range(self.backlog // 10), 8)
        return urls


class SNS:
    """Publish through wrk (query protocol), plus the fan-out latency measurement."""
    name = "sns"
    scope = "sns"
    connections = "1,16"
    workload = os.path.join(HERE, "sns", "workload.lua")
    phases = [("Publish (fan-out to 10 queues)", {"op": "Publish", "topic": "$fanout"}, None),
              ("Publish (no subscriptions)", {"op": "Publish", "topic": "$bare"}, None)]
    QUEUES = 10

    def __init__(self):
        self.fanout = {}  # server name -> fanout.measure() figures

    def setup(self, endpoint):
        import fanout
        sns, sqs = client("sns", endpoint), client("sqs", endpoint)
        topic, urls = fanout.setup(sns, sqs, self.QUEUES)
        self.queue_urls = urls
        return {"$fanout": topic, "$bare": sns.create_topic(Name="bench-bare")["TopicArn"]}

    def before_wrk(self, server, base, args):
        """The latency measurement runs first, on empty queues (at each --fanout-rate); wrk's
        Publish phases then fill the queues (nobody receives from them)."""
        import fanout
        moto = server.name == "moto"
        rates = args.fanout_moto_rate if moto else args.fanout_rate
        gen = args.fanout_generator
        if gen == "node" and not shutil.which("node"):
            print("  no node on PATH: the fan-out uses the Python generator", flush=True)
            gen = "python"
        measure = fanout.measure_node if gen == "node" else fanout.measure
        for rate in [float(x) for x in str(rates).split(",") if x.strip()]:
            messages = max(10, int(rate * args.seconds))
            warm = int(rate * args.warmup)
            print("  [%s] fan-out: %d messages (+%d warm-up) at %g/s to %d queues" % (
                server.name, messages, warm, rate, self.QUEUES), flush=True)
            load = os.getloadavg()[0]
            cpu0 = server.cpu_seconds()
            r = measure(server.endpoint, base["$fanout"], self.queue_urls, messages, rate, warm)
            # CPU per publish (each fanned out to 10 queues, received and deleted), over every
            # message published, warm-up included: the server's and the load generator's.
            r["server_cpu_us"] = (server.cpu_seconds() - cpu0) * 1e6 / r["published"]
            r["generator_cpu_us"] = r["generator_cpu_s"] * 1e6 / r["published"]
            r["load"] = load
            self.fanout.setdefault(server.name, []).append(r)
            print("  [%s] fan-out: %.0f publishes/s, publish-to-receive p50 %.2f ms p99 %.2f ms, "
                  "%d/%d received, CPU µs/publish: server %.0f, %s generator %.0f, load %.2f%s" % (
                      server.name, r["publish_per_s"], r["p50_us"] / 1000, r["p99_us"] / 1000,
                      r["received"], r["expected"], r["server_cpu_us"], gen,
                      r["generator_cpu_us"], load, "" if not r["errors"] else
                      ", %d errors" % len(r["errors"])), flush=True)


class S3:
    """The S3 issue's benchmark: PUT and GET of 1 KiB (ops/s, latency) and of 64 MiB (MiB/s) at
    1 and 16 connections, plus 1 MiB objects and one ListObjectsV2 page."""
    name = "s3"
    scope = "s3"
    connections = "1,16"  # as the S3 issue's benchmark asks
    workload = os.path.join(HERE, "s3", "workload.lua")
    LARGE = 64 << 20
    phases = [("PutObject 1 KiB", {"op": "PutObject", "size": 1024}, None),
              ("GetObject 1 KiB", {"op": "GetObject", "size": 1024}, None),
              ("PutObject 64 MiB", {"op": "PutObject", "size": LARGE}, "MiB/s"),
              ("GetObject 64 MiB", {"op": "GetObject", "size": LARGE}, "MiB/s"),
              ("PutObject 1 MiB", {"op": "PutObject", "size": 1 << 20}, "MiB/s"),
              ("GetObject 1 MiB", {"op": "GetObject", "size": 1 << 20}, "MiB/s"),
              ("ListObjectsV2 (10k keys, 1st page)", {"op": "ListObjectsV2"}, None)]
    LIST_KEYS = 10000
    timeout = 60  # seconds before wrk counts a request as timed out (moto's 64 MiB requests)

    @staticmethod
    def get_objects(size):
        """How many objects of `size` GetObject cycles over (bench/s3/workload.lua agrees)."""
        return 4 if size > (8 << 20) else 16

    def setup(self, endpoint):
        s3 = client("s3", endpoint)
        s3.create_bucket(Bucket="bench-objects")
        s3.create_bucket(Bucket="bench-list")
        for size in (1024, 1 << 20, self.LARGE):
            body = b"g" * size
            for i in range(self.get_objects(size)):
                s3.put_object(Bucket="bench-objects", Key="get/%d/%d" % (size, i), Body=body)
            head = s3.head_object(Bucket="bench-objects", Key="get/%d/0" % size)
            assert head["ContentLength"] == size, head

        def put(i):
            s3.put_object(Bucket="bench-list", Key="key/%05d" % i, Body=b"x" * 16)
        parallel(put, range(self.LIST_KEYS), 16)
        r = s3.list_objects_v2(Bucket="bench-list")
        assert r["KeyCount"] == 1000 and r["IsTruncated"], r.get("KeyCount")
        return {"bucket": "bench-objects", "list": "bench-list"}


SERVICES = {"dynamodb": DynamoDB, "sqs": SQS, "sns": SNS, "s3": S3}


def run_service(svc, server, args, connection_counts):
    t0 = time.monotonic()
    base = svc.setup(server.endpoint)
    print("  [%s] setup %.1fs" % (server.name, time.monotonic() - t0), flush=True)
    if hasattr(svc, "before_wrk"):
        svc.before_wrk(server, base, args)
    results = {}
    for (label, overrides, unit_label), connections in [
            (p, c) for p in svc.phases for c in connection_counts]:
        params = {"scope": svc.scope, "tag": "%s%d" % (server.name[0], len(results))}
        for k, v in overrides.items():
            params[k] = base[v] if isinstance(v, str) and v.startswith("$") else v
        for k, v in base.items():
            if not k.startswith("$"):
                params.setdefault(k, v)
        if args.warmup:
            warm = dict(params, tag=params["tag"] + "w")
            run_wrk(server.endpoint, svc.workload, warm, args.warmup, connections,
                    getattr(svc, "timeout", 10))
        load = os.getloadavg()[0]
        cpu0 = server.cpu_seconds()
        r = run_wrk(server.endpoint, svc.workload, params, args.seconds, connections,
                    getattr(svc, "timeout", 10))
        cpu = server.cpu_seconds() - cpu0
        r["load"] = load
        # The machine may be shared: the server's own CPU time says what each operation cost.
        r["cpu_cores"] = cpu / (r["duration_us"] / 1e6)
        good = r["ops"] * r["duration_us"] / 1e6
        r["cpu_us_per_op"] = cpu * 1e6 / good if good else float("nan")
        if unit_label == "MiB/s":
            r["units_per_s"] = r["ops"] * params["size"] / (1 << 20)
        results[(label, connections)] = r
        alive = server.alive()
        print("  [%s] %-36s c=%-3d %9.0f ops/s  p50 %7.2f ms  p99 %8.2f ms  cpu %.2f  load %.2f%s" % (
            server.name, label, connections, r["ops"], r["p50_us"] / 1000, r["p99_us"] / 1000,
            r["cpu_cores"], load,
            "" if alive else "  SERVER EXITED (%s)" % server.proc.returncode), flush=True)
        if not alive:
            break
    return results


def ms(us):
    return "%.2f" % (us / 1000.0)


def print_table(svc, res, notes):
    n, m = res.get("nimbus", {}), res.get("moto", {})
    print()
    print("## %s" % svc.name)
    print()
    print("| operation | server | conns | ops/s | units/s | p50 ms | p90 ms | p99 ms | "
          "non-2xx | bad body | sock err | nimbus/moto | server cores | CPU µs/op | wrk cores | "
          "load |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    keys = sorted(set(n) | set(m), key=lambda k: ([p[0] for p in svc.phases].index(k[0]), k[1]))
    units_of = {p[0]: p[2] for p in svc.phases}
    for key in keys:
        label, unit_label = key[0], units_of[key[0]]
        for server, r in (("nimbus", n.get(key)), ("moto", m.get(key))):
            if r is None:
                continue
            ratio = ""
            if server == "nimbus" and key in m and m[key]["ops"] > 0:
                ratio = "%.1fx" % (r["ops"] / m[key]["ops"])
            elif server == "nimbus" and key in m:
                ratio = "moto: none"
            units = ("%.0f %s" % (r["units_per_s"], unit_label)) if unit_label else ""
            if unit_label and 0 < r["units_per_s"] < 10:
                units = "%.1f %s" % (r["units_per_s"], unit_label)
            if r["requests"] == 0:
                pcts = ["no answer"] * 3
            else:
                pcts = [ms(r["p50_us"]), ms(r["p90_us"]), ms(r["p99_us"])]
            ops = "%.0f" % r["ops"] if r["ops"] >= 10 else "%.1f" % r["ops"]
            print("| %s | %s | %d | %s | %s | %s | %s | %s | %d | %d | %d | %s | %.2f | %s | "
                  "%.2f | %.1f |" % (
                      label, server, r["connections"], ops, units, pcts[0], pcts[1],
                      pcts[2], r["non2xx"], r["bad"], r["socket_errors"], ratio, r["cpu_cores"],
                      "%.0f" % r["cpu_us_per_op"] if r["cpu_us_per_op"] == r["cpu_us_per_op"]
                      else "-", r["client_cores"], r["load"]))
    for key in keys:
        label = key[0]
        for server in ("nimbus", "moto"):
            r = res.get(server, {}).get(key)
            if not r:
                continue
            if r["non2xx"] or r["bad"] or r["socket_errors"]:
                print("\n%s %s: statuses %s, bad bodies %d, socket errors %s" % (
                    server, label, r["statuses"], r["bad"], r["errors"]))
                for s in r["samples"]:
                    print("  sample: %s" % s[:400])
            if r["requests"] == 0:
                print("%s %s: no request was answered within %ds (%d connections)" % (
                    server, label, r["duration_us"] // 1000000, r["connections"]))
            if r["extra"]:
                print("%s %s: %s" % (server, label, r["extra"]))
    fan = getattr(svc, "fanout", None)
    if fan:
        print_fanout(fan)
    print_goals(svc, res)
    for line in notes:
        print(line)


def print_fanout(fan):
    print()
    print("SNS Publish fanning out to 10 SQS queues (raw delivery): one publisher at a steady "
          "rate, one long-polling receiver per queue; latency = receive minus publish, over "
          "all 10 queues")
    print()
    print("| server | messages | target/s | publishes/s | Publish p50 ms | Publish p99 ms | "
          "received | missing | dup | p50 ms | p90 ms | p99 ms | max ms | moto/nimbus p99 | "
          "errors | server CPU µs/publish | generator | generator CPU µs/publish | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
          "---:|---:|")
    rows = [(server, r) for server in ("nimbus", "moto") for r in fan.get(server, [])]
    for server, r in rows:
        ratio = ""
        if server == "nimbus" and fan.get("moto") and r["p99_us"] > 0:
            ratio = "%.0fx" % (fan["moto"][0]["p99_us"] / r["p99_us"])
        print("| %s | %d | %g | %.0f | %s | %s | %d of %d | %d | %d | %s | %s | %s | %s | %s | "
              "%d | %.0f | %s | %.0f | %.1f |" % (
                  server, r["messages"], r["rate"], r["publish_per_s"], ms(r["publish_p50_us"]),
                  ms(r["publish_p99_us"]), r["received"], r["expected"], r["missing"],
                  r["duplicates"], ms(r["p50_us"]), ms(r["p90_us"]), ms(r["p99_us"]),
                  ms(r["max_us"]), ratio, len(r["errors"]), r["server_cpu_us"],
                  r["generator"], r["generator_cpu_us"], r["load"]))
    for server, r in rows:
        for e in r["errors"][:5]:
            print("%s fan-out error: %s" % (server, e))


# The issues' goals for their benchmarks: (operation, field, goal, what, connections or None
# for the best of every connection count). Throughput of large objects is in MiB/s; the S3
# issue's "1 GB/s" is 10^9 bytes/s, 953.7 MiB/s.
GB_IN_MIB = 1e9 / (1 << 20)
GOALS = {
    "sqs": [("SendMessage", "ops", 20000, "single sends/s", None),
            ("SendMessageBatch (10)", "units_per_s", 100000, "messages/s in batches of 10", None)],
    "s3": [("GetObject 1 KiB", "ops", 20000, "1 KiB GETs/s", 16),
           ("PutObject 1 KiB", "ops", 8000, "1 KiB PUTs/s", 16),
           ("GetObject 64 MiB", "units_per_s", GB_IN_MIB, "64 MiB GET MiB/s (1 GB/s)", None)],
}
GOAL_HEADINGS = {"sqs": "the SQS/SNS issue's goals", "sns": "the SQS/SNS issue's goals",
                 "s3": "the S3 issue's goals"}
RATIO_GOALS = {"sqs": 100, "sns": 100, "s3": 50}


def print_goals(svc, res):
    n, m = res.get("nimbus", {}), res.get("moto", {})
    lines = []
    for label, field, goal, what, conns in GOALS.get(svc.name, []):
        best = max((r for k, r in n.items() if k[0] == label and conns in (None, k[1])),
                   key=lambda r: r[field], default=None)
        if best:
            lines.append("- %s: %.0f at %d connections (goal %.0f): %s" % (
                what, best[field], best["connections"], goal,
                "met" if best[field] >= goal else "NOT met"))
    fan = getattr(svc, "fanout", {})
    for r in fan.get("nimbus", []):
        p99 = r["p99_us"] / 1000
        lines.append("- p99 publish-to-receive at %g publishes/s: %.2f ms (goal < 5 ms): %s" % (
            r["rate"], p99, "met" if p99 < 5 else "NOT met"))
    if fan.get("nimbus") and fan.get("moto"):
        lat = fan["moto"][0]["p99_us"] / max(r["p99_us"] for r in fan["nimbus"])
        lines.append("- moto's p99 publish-to-receive over nimbus's (worst rate): %.1fx "
                     "(goal >= 100x): %s" % (lat, "met" if lat >= 100 else "NOT met"))
    ratio_goal = RATIO_GOALS.get(svc.name)
    worst = None
    for key, r in n.items():
        if key in m:
            ratio = r["ops"] / m[key]["ops"] if m[key]["ops"] > 0 else float("inf")
            if worst is None or ratio < worst[0]:
                worst = (ratio, key)
    if worst and ratio_goal:
        lines.append("- lowest nimbus/moto ratio: %.1fx (%s, %d connections; goal >= %dx): %s" % (
            worst[0], worst[1][0], worst[1][1], ratio_goal,
            "met" if worst[0] >= ratio_goal else "NOT met"))
    if lines and svc.name in GOAL_HEADINGS:
        print()
        print("Against %s:" % GOAL_HEADINGS[svc.name])
        for line in lines:
            print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("services", nargs="*", default=["dynamodb", "sqs", "sns", "s3"],
                    choices=["dynamodb", "sqs", "sns", "s3", "core"])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--binary", help="nimbus binary (default: <build>/nimbus)")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per operation")
    ap.add_argument("--connections",
                    help="keep-alive connections, or a list: 1,64 runs every operation at each "
                         "(default: 64 for dynamodb, 1,16 for sqs, sns and s3)")
    ap.add_argument("--moto-connections", help="default: --connections")
    ap.add_argument("--no-moto", action="store_true", help="nimbus only")
    ap.add_argument("--no-nimbus", action="store_true", help="moto only")
    ap.add_argument("--sqs-backlog", type=int, default=SQS.BACKLOG,
                    help="messages kept in the Receive+DeleteBatch queue")
    ap.add_argument("--fanout-rate", default="100,500",
                    help="sns fan-out: publishes/s to nimbus, or a list (--seconds of each)")
    ap.add_argument("--fanout-moto-rate", default="10",
                    help="sns fan-out: publishes/s to moto, or a list (--seconds of each)")
    ap.add_argument("--fanout-generator", default="node", choices=["node", "python"],
                    help="sns fan-out load generator: bench/sns/fanout.mjs (Node, default) or "
                         "fanout.py (Python processes; costs more CPU than the server)")
    ap.add_argument("--ephemeral", action="store_true", help="nimbus --ephemeral (in memory)")
    args = ap.parse_args()
    binary = args.binary or os.path.join(args.build, "nimbus")
    log_dir = tempfile.mkdtemp(prefix="nimbus-bench-logs-")

    print("%s  %d cores  load %s  nimbus %s%s" % (
        time.strftime("%Y-%m-%d %H:%M:%S"), os.cpu_count(),
        " ".join("%.2f" % x for x in os.getloadavg()), binary,
        " (--ephemeral)" if args.ephemeral else " (RocksDB data dir)"), flush=True)
    for name in args.services:
        if name == "core":
            subprocess.run([sys.executable, os.path.join(HERE, "core", "run.py"),
                            "--build", args.build, "--seconds", str(args.seconds)])
            continue
        svc = SQS(args.sqs_backlog) if name == "sqs" else SERVICES[name]()
        res, notes = {}, []
        print("\n%s: %ds per operation after %ds warm-up, wrk -t2" % (
            name, args.seconds, args.warmup), flush=True)
        counts = lambda text: [int(c) for c in str(text).split(",") if c.strip()]
        conns = args.connections or svc.connections
        targets = [] if args.no_nimbus else [("nimbus", counts(conns))]
        if not args.no_moto:
            targets.append(("moto", counts(args.moto_connections or conns)))
        for server_name, conns in targets:
            server = (start_nimbus(binary, args.ephemeral, log_dir) if server_name == "nimbus"
                      else start_moto(log_dir))
            try:
                res[server_name] = run_service(svc, server, args, conns)
                mem = server.memory()
                if mem:
                    notes.append("%s RSS after the run: %.0f MiB (peak %.0f MiB)" % (
                        server_name, mem[0], mem[1]))
                if not server.alive():
                    notes.append("%s EXITED with status %s" % (server_name,
                                                              server.proc.returncode))
            finally:
                server.stop()
            tail = server.log_tail()
            if tail.strip():
                notes.append("%s log (%s), last lines:\n%s" % (server_name, server.log_path,
                                                               tail))
        print_table(svc, res, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
