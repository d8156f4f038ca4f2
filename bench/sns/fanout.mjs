// SNS fan-out latency with a cheap load generator (Node 20, one process, no dependencies).
//
// Publishes `--messages` (after `--warmup` uncounted ones) to a topic at a fixed `--rate`
// (query protocol, Action=Publish; open-loop over `--publishers` keep-alive connections, 4 by
// default), while one long-polling receiver per queue (JSON protocol, ReceiveMessage
// MaxNumberOfMessages 10, WaitTimeSeconds 1, each on its own keep-alive connection) takes the
// messages off the subscribed queues. Each message's
// body is "t=<process.hrtime ns> seq=<n>"; latency is the moment a receiver has the answer
// minus that time, over every queue. Receipt handles are deleted in batches of up to 10 (or
// 50 ms after the oldest waiting), on a second connection per queue.
//
// Requests carry the same SigV4-shaped Authorization header with a dummy signature as the wrk
// workloads (nimbus's permissive auth and moto take it unchecked), so no time goes to signing.
//
// The Python generator (fanout.py, 11 processes) spends about 2.5 times nimbus's CPU per
// publish, so at 500 publishes/s on 2 cores it starves the server it measures; this one, one
// process on bare sockets, costs about a fifth of that. It prints one JSON object with the
// figures (µs) and its own CPU time (user+system, from after start-up to the end).
//
//   node bench/sns/fanout.mjs --endpoint http://127.0.0.1:4566 --topic ARN \
//        --queue URL [--queue URL ...] --messages 5000 --rate 500 --warmup 500
import net from "node:net";

function parseArgs(argv) {
  const a = { queues: [], messages: 2000, rate: 500, warmup: 50, drain: 15, publishers: 4 };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    if (k === "--endpoint") a.endpoint = v;
    else if (k === "--topic") a.topic = v;
    else if (k === "--queue") a.queues.push(v);
    else if (k === "--messages") a.messages = Number(v);
    else if (k === "--rate") a.rate = Number(v);
    else if (k === "--warmup") a.warmup = Number(v);
    else if (k === "--drain") a.drain = Number(v);
    else if (k === "--publishers") a.publishers = Number(v);
    else throw new Error("unknown argument " + k);
    i++;
  }
  if (!a.endpoint || !a.topic || a.queues.length === 0)
    throw new Error("need --endpoint, --topic and at least one --queue");
  return a;
}

const args = parseArgs(process.argv);
const url = new URL(args.endpoint);
const AUTH = (svc) =>
  "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/" + svc +
  "/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0".repeat(64);

// One HTTP/1.1 keep-alive connection with one request at a time, over a bare socket: Node's
// `http` client (agents, header objects, its parser) cost several times more CPU per request,
// which on 2 cores comes out of the server being measured. Answers must carry Content-Length.
class Conn {
  constructor() {
    this.sock = null;
    this.pending = null;  // {resolve, reject}
    this.buf = Buffer.alloc(0);
  }
  open() {
    this.sock = net.createConnection({ host: url.hostname, port: Number(url.port) });
    this.sock.setNoDelay(true);
    this.sock.on("data", (chunk) => this.onData(chunk));
    this.sock.on("error", (e) => this.fail(e));
    this.sock.on("close", () => this.fail(new Error("connection closed")));
  }
  fail(e) {
    this.sock = null;
    this.buf = Buffer.alloc(0);
    const p = this.pending;
    this.pending = null;
    if (p) p.reject(e);
  }
  onData(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = this.buf.toString("latin1", 0, end);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m) return this.sock.destroy(new Error("answer without Content-Length: " + head));
    const total = end + 4 + Number(m[1]);
    if (this.buf.length < total) return;
    const body = this.buf.subarray(end + 4, total);
    this.buf = this.buf.length > total ? this.buf.subarray(total) : Buffer.alloc(0);
    const p = this.pending;
    this.pending = null;
    if (p) p.resolve({ status: Number(head.slice(9, 12)), body });
  }
  request(headers, body) {
    if (!this.sock) this.open();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.sock.write("POST / HTTP/1.1\r\nHost: " + url.host + "\r\n" + headers +
                      "Content-Length: " + Buffer.byteLength(body) + "\r\n\r\n" + body);
    });
  }
  close() {
    if (this.sock) this.sock.destroy();
    this.sock = null;
  }
}

const SQS_HEADERS = "Authorization: " + AUTH("sqs") + "\r\nX-Amz-Date: 20260101T000000Z\r\n" +
                    "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.";
function sqs(conn, target, payload) {
  return conn.request(SQS_HEADERS + target + "\r\n", JSON.stringify(payload));
}

const total = args.warmup + args.messages;
const errors = [];
const latencies = [];  // µs, counted messages only, over all queues
let received = 0, duplicates = 0;
let stopping = false;
const BODY_RE = /^t=(\d+) seq=(\d+)$/;

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const k = Math.min(sorted.length - 1,
                     Math.max(0, Math.round(p / 100 * sorted.length + 0.5) - 1));
  return sorted[k];
}

async function receiver(i, queueUrl) {
  const recvConn = new Conn(), delConn = new Conn();
  const got = new Uint8Array(total);
  let count = 0;
  let pending = [], timer = null, deleting = Promise.resolve();
  const flush = () => {
    if (timer) { clearTimeout(timer); timer = null; }
    while (pending.length > 0) {
      const handles = pending.splice(0, 10);
      deleting = deleting.then(() => sqs(delConn, "DeleteMessageBatch", {
        QueueUrl: queueUrl,
        Entries: handles.map((h, j) => ({ Id: String(j), ReceiptHandle: h })),
      })).then((r) => {
        const text = r.body.toString();
        if (r.status !== 200 || /"Failed":\s*\[\s*\{/.test(text))
          errors.push(`delete ${i}: ${r.status} ${text.slice(0, 200)}`);
      }, (e) => errors.push(`delete ${i}: ${e}`));
    }
  };
  while (!stopping && count < total) {
    let r;
    try {
      r = await sqs(recvConn, "ReceiveMessage", {
        QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60,
      });
    } catch (e) {
      errors.push(`receive ${i}: ${e}`);
      continue;
    }
    const now = process.hrtime.bigint();
    if (r.status !== 200) {
      errors.push(`receive ${i}: ${r.status} ${r.body.toString().slice(0, 200)}`);
      await new Promise((res) => setTimeout(res, 50));
      continue;
    }
    const msgs = JSON.parse(r.body).Messages || [];
    for (const m of msgs) {
      pending.push(m.ReceiptHandle);
      const k = BODY_RE.exec(m.Body);  // raw delivery: the body is the message
      if (!k) {
        errors.push(`queue ${i}: unexpected body ${String(m.Body).slice(0, 100)}`);
        continue;
      }
      const seq = Number(k[2]);
      if (seq >= total || got[seq]) { duplicates++; continue; }
      got[seq] = 1;
      count++;
      if (seq >= args.warmup) {
        received++;
        latencies.push(Number(now - BigInt(k[1])) / 1000);
      }
    }
    if (pending.length >= 10) flush();
    else if (pending.length > 0 && !timer) timer = setTimeout(flush, 50);
  }
  flush();
  await deleting;
  recvConn.close();
  delConn.close();
}

// Publishes open-loop: each Publish goes out when it is due on the first free one of
// `--publishers` connections, so one slow answer does not hold back the ones after it.
async function publisher() {
  const conns = Array.from({ length: args.publishers }, () => new Conn());
  const free = [...conns], waiting = [];
  const acquire = () => free.length ? Promise.resolve(free.pop())
                                    : new Promise((res) => waiting.push(res));
  const release = (c) => { const w = waiting.shift(); if (w) w(c); else free.push(c); };
  const headers = "Authorization: " + AUTH("sns") + "\r\nX-Amz-Date: 20260101T000000Z\r\n" +
                  "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n";
  const prefix = "Action=Publish&Version=2010-03-31&TopicArn=" +
                 encodeURIComponent(args.topic) + "&Message=t%3D";
  const publishUs = [];
  let publishErrors = 0;
  const inFlight = new Set();
  const interval = args.rate > 0 ? 1e9 / args.rate : 0;  // ns
  const start = process.hrtime.bigint();
  let countedStart = start;
  for (let seq = 0; seq < total; seq++) {
    const due = start + BigInt(Math.round(seq * interval));
    // Timers have millisecond resolution: a publish goes out up to about 1 ms off its due time
    // (its latency counts from when it really goes). Waiting closer would mean spinning through
    // the event loop, which cost more CPU than all the requests.
    const ms = Number(due - process.hrtime.bigint()) / 1e6;
    if (ms >= 0.5) await new Promise((res) => setTimeout(res, Math.round(ms)));
    const conn = await acquire();
    const t = process.hrtime.bigint();
    if (seq === args.warmup) countedStart = t;
    const p = conn.request(headers, prefix + t + "+seq%3D" + seq).then(
        (r) => [r.status === 200 && r.body.includes("<MessageId>"), r.body.toString()],
        (e) => [false, String(e)]).then(([ok, text]) => {
      if (!ok && ++publishErrors <= 3) errors.push(`publish ${seq}: ${text.slice(0, 200)}`);
      if (seq >= args.warmup) publishUs.push(Number(process.hrtime.bigint() - t) / 1000);
      inFlight.delete(p);
      release(conn);
    });
    inFlight.add(p);
  }
  await Promise.all([...inFlight]);
  const end = process.hrtime.bigint();
  for (const c of conns) c.close();
  return { publishUs, publishErrors, span: Number(end - countedStart) / 1e9 };
}

async function main() {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const receivers = args.queues.map((q, i) => receiver(i, q));
  // Let every receiver's first long poll arrive before the first publish.
  await new Promise((res) => setTimeout(res, 300));
  const pub = await publisher();
  const drained = Promise.all(receivers);
  const timeout = new Promise((res) => setTimeout(() => res("timeout"), args.drain * 1000));
  if (await Promise.race([drained, timeout]) === "timeout") {
    stopping = true;  // the rest stop after their current long poll (1 s)
    await drained;
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((x, y) => x - y);
  pub.publishUs.sort((x, y) => x - y);
  const expected = args.messages * args.queues.length;
  process.stdout.write(JSON.stringify({
    generator: "node",
    messages: args.messages, queues: args.queues.length, rate: args.rate,
    publish_per_s: args.messages > 0 && pub.span > 0 ? args.messages / pub.span : null,
    publish_p50_us: percentile(pub.publishUs, 50), publish_p99_us: percentile(pub.publishUs, 99),
    publish_errors: pub.publishErrors,
    expected, received, missing: expected - received, duplicates,
    p50_us: percentile(latencies, 50), p90_us: percentile(latencies, 90),
    p99_us: percentile(latencies, 99), max_us: latencies.length ? latencies.at(-1) : null,
    generator_cpu_s: (cpu.user + cpu.system) / 1e6, wall_s: wall, published: total,
    errors: errors.slice(0, 20),
  }) + "\n");
}

main().catch((e) => {
  process.stderr.write(String(e.stack || e) + "\n");
  process.exit(1);
});
