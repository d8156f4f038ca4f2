#!/usr/bin/env python3
"""Lambda benchmark: cold start and warm Invoke for a Python and a Node echo function, next to
the bare interpreter's start-and-exit time (the floor), measured in the same run.

  bench/lambda/run.py [--build build | --binary PATH] [--seconds 10] [--warmup 2]
                      [--connections 1,64] [--cold-runs 10] [--no-moto]

Cold start: CreateFunction (waiting for Active) and then the first Invoke, timed from the
Invoke request to its answer and from CreateFunction to that answer; --cold-runs functions per
runtime, medians reported. Warm: wrk (keep-alive, SigV4-shaped header with a dummy signature)
drives RequestResponse Invokes of a 20-byte event at each connection count. moto's server gets
the same calls: its Lambda runs functions only in Docker, so its answers are reported as they
come (an error or nothing) and no ratio can be given when it cannot run them.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path.insert(0, BENCH)
sys.path.insert(0, HERE)

import functions  # noqa: E402


def _load_common():
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_common", os.path.join(BENCH, "run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


common = _load_common()  # bench/run.py: servers, wrk, clients

WORKLOAD = os.path.join(HERE, "workload.lua")


def cold_starts(lam, kind, runs, tag):
    first, total = [], []
    for i in range(runs):
        name = "cold-%s-%s-%d" % (kind, tag, i)
        t0 = time.perf_counter()
        functions.create(lam, name, kind)
        t1 = time.perf_counter()
        r = lam.invoke(FunctionName=name, Payload=b'{"cold":1}')
        t2 = time.perf_counter()
        body = r["Payload"].read()
        if r["StatusCode"] != 200 or r.get("FunctionError") or b'"cold"' not in body:
            raise RuntimeError("cold invoke of %s failed: %r" % (name, body[:300]))
        first.append((t2 - t1) * 1000)
        total.append((t2 - t0) * 1000)
    return statistics.median(first), min(first), statistics.median(total)


def warm(server, name, args, conns, label, results):
    params = {"scope": "lambda", "op": "Invoke", "fn": name, "want": '"echo"',
              "tag": server.name}
    for c in conns:
        if args.warmup:
            common.run_wrk(server.endpoint, WORKLOAD, params, args.warmup, c)
        cpu0 = server.cpu_seconds()
        r = common.run_wrk(server.endpoint, WORKLOAD, params, args.seconds, c)
        secs = r["duration_us"] / 1e6
        r["cpu_cores"] = (server.cpu_seconds() - cpu0) / secs
        r["load"] = os.getloadavg()[0]
        results[(label, c)] = r
        print("  [%s] %-24s c=%-3d %8.0f ops/s  p50 %6.2f ms  p99 %7.2f ms  errors %d/%d" % (
            server.name, label, c, r["ops"], r["p50_us"] / 1000, r["p99_us"] / 1000,
            r["non2xx"] + r["bad"], r["socket_errors"]), flush=True)


def try_moto(args, log_dir):
    """moto answers Invoke only with Docker; report what it does."""
    server = common.start_moto(log_dir)
    try:
        lam = common.client("lambda", server.endpoint)
        try:
            common.client("iam", server.endpoint).create_role(  # moto wants the role to exist
                RoleName="bench", AssumeRolePolicyDocument="{}")
            functions.create(lam, "moto-echo", "python")
            t0 = time.perf_counter()
            r = lam.invoke(FunctionName="moto-echo", Payload=b'{"cold":1}')
            body = r["Payload"].read()
            return "moto Invoke answered %d in %.0f ms: %s" % (
                r["StatusCode"], (time.perf_counter() - t0) * 1000, body[:200])
        except Exception as e:  # noqa: BLE001 (what moto answers is the result)
            return "moto cannot run the function: %s" % str(e).splitlines()[0][:300]
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(BENCH), "build"))
    ap.add_argument("--binary")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--connections", default="1,64")
    ap.add_argument("--cold-runs", type=int, default=10)
    ap.add_argument("--runtimes", default="python,node")
    ap.add_argument("--no-moto", action="store_true")
    args = ap.parse_args()
    binary = args.binary or os.path.join(args.build, "nimbus")
    conns = [int(c) for c in args.connections.split(",") if c.strip()]
    kinds = [k for k in args.runtimes.split(",") if k]
    log_dir = tempfile.mkdtemp(prefix="nimbus-bench-logs-")
    print("%s  %d cores  load %s  nimbus %s" % (
        time.strftime("%Y-%m-%d %H:%M:%S"), os.cpu_count(),
        " ".join("%.2f" % x for x in os.getloadavg()), binary), flush=True)

    floors = {k: functions.floor_ms(k) for k in kinds}
    server = common.start_nimbus(binary, False, log_dir)
    cold, results = {}, {}
    try:
        lam = common.client("lambda", server.endpoint)
        for k in kinds:
            cold[k] = cold_starts(lam, k, args.cold_runs, "a")
            print("  cold %s: first Invoke p50 %.1f ms (min %.1f), create+invoke %.1f ms; "
                  "bare interpreter %.1f ms" % (k, cold[k][0], cold[k][1], cold[k][2],
                                                floors[k][0]), flush=True)
        for k in kinds:
            name = "warm-" + k
            functions.create(lam, name, k)
            lam.invoke(FunctionName=name, Payload=b"{}")
            warm(server, name, args, conns, "Invoke " + k, results)
        mem = server.memory()
    finally:
        server.stop()
    moto_note = None if args.no_moto else try_moto(args, log_dir)

    print()
    print("## Lambda cold start (median of %d functions per runtime)" % args.cold_runs)
    print()
    print("| runtime | bare interpreter start+exit ms | first Invoke ms (p50) | min | "
          "over the floor ms | CreateFunction + first Invoke ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for k in kinds:
        print("| %s (%s) | %.1f | %.1f | %.1f | %+.1f | %.1f |" % (
            k, functions.RUNTIMES[k][0], floors[k][0], cold[k][0], cold[k][1],
            cold[k][0] - floors[k][0], cold[k][2]))
    print()
    print("## Lambda warm Invoke (RequestResponse, 20-byte event)")
    print()
    print("| function | conns | invokes/s | p50 ms | p90 ms | p99 ms | errors | server cores | "
          "wrk cores | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (label, c), r in results.items():
        print("| %s | %d | %.0f | %.2f | %.2f | %.2f | %d | %.2f | %.2f | %.1f |" % (
            label, c, r["ops"], r["p50_us"] / 1000, r["p90_us"] / 1000, r["p99_us"] / 1000,
            r["non2xx"] + r["bad"] + r["socket_errors"], r["cpu_cores"], r["client_cores"],
            r["load"]))
        for s in r["samples"][:2]:
            print("  sample: %s" % s[:300])
    if mem:
        print("\nnimbus RSS after the run: %.0f MiB (peak %.0f MiB)" % mem)
    if moto_note:
        print("\n" + moto_note)
    print("\nAgainst the Lambda issue's goals:")
    for k in kinds:
        over = cold[k][0] - floors[k][0]
        print("- cold start %s: %.1f ms over the bare interpreter (goal within 30 ms): %s" % (
            k, over, "met" if over <= 30 else "NOT met"))
    for (label, c), r in results.items():
        if c == max(conns):
            print("- %s at %d connections: %.0f invokes/s (goal >= 5000): %s" % (
                label, c, r["ops"], "met" if r["ops"] >= 5000 else "NOT met"))
        if c == min(conns):
            print("- %s warm p50 at %d connection(s): %.2f ms (goal < 1 ms): %s" % (
                label, c, r["p50_us"] / 1000, "met" if r["p50_us"] < 1000 else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
