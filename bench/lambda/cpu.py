#!/usr/bin/env python3
"""CPU per warm Invoke, split between nimbus and its runtime processes: the numbers to compare
binaries with on a shared machine (rates follow the machine's load; CPU per invoke much less).

  bench/lambda/cpu.py [--build build | --binary PATH] [--kind node|python] [--conns 1,64]
                      [--seconds 5] [--warmup 3] [--reps 1]

One echo function (bench/lambda/functions.py, 128 MB); for each connection count wrk drives
bench/lambda/workload.lua for --warmup seconds, then --reps measured runs of --seconds. Printed
per run: good invokes/s, p50, nimbus's user+system CPU per invoke (/proc/<pid>/stat), the same
summed over all of nimbus's descendants (bubblewrap and the runtimes), their voluntary and
involuntary context switches per invoke, and the 1-minute load average.
"""
import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path.insert(0, BENCH)
sys.path.insert(0, HERE)

import functions  # noqa: E402
from run import common  # noqa: E402  (bench/lambda/run.py loads bench/run.py)

TCK = os.sysconf("SC_CLK_TCK")
WORKLOAD = os.path.join(HERE, "workload.lua")


def processes():
    """{pid: (ppid, user+system ticks)} of every process."""
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                rest = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(p)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    return out


def descendants_cpu(root):
    procs = processes()
    kids = {}
    for pid, (ppid, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    out, stack = {}, list(kids.get(root, []))
    while stack:
        p = stack.pop()
        out[p] = procs[p][1]
        stack += kids.get(p, [])
    return out


def context_switches(pids):
    total = 0
    for p in pids:
        try:
            for t in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/status" % (p, t)) as f:
                    for line in f:
                        if "ctxt_switches" in line:
                            total += int(line.split()[1])
        except OSError:
            pass
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(BENCH), "build"))
    ap.add_argument("--binary")
    ap.add_argument("--kind", default="node", choices=sorted(functions.RUNTIMES))
    ap.add_argument("--conns", default="1,64")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--reps", type=int, default=1)
    a = ap.parse_args()
    binary = a.binary or os.path.join(a.build, "nimbus")
    server = common.start_nimbus(binary, False, tempfile.mkdtemp(prefix="nimbus-bench-logs-"))
    try:
        lam = common.client("lambda", server.endpoint)
        functions.create(lam, "cpu-echo", a.kind)
        lam.invoke(FunctionName="cpu-echo", Payload=b"{}")
        params = {"scope": "lambda", "op": "Invoke", "fn": "cpu-echo", "want": '"echo"',
                  "tag": "nimbus"}
        for c in [int(x) for x in a.conns.split(",") if x.strip()]:
            if a.warmup:
                common.run_wrk(server.endpoint, WORKLOAD, params, a.warmup, c)
            for _ in range(a.reps):
                load = os.getloadavg()[0]
                n0, d0 = server.cpu_seconds(), descendants_cpu(server.proc.pid)
                cs0 = context_switches(d0)
                r = common.run_wrk(server.endpoint, WORKLOAD, params, a.seconds, c)
                n1, d1 = server.cpu_seconds(), descendants_cpu(server.proc.pid)
                cs1 = context_switches(d0)
                good = r["ops"] * r["duration_us"] / 1e6
                runtime = sum(d1[p] - d0.get(p, 0) for p in d1) / TCK
                print("%s c=%-3d %7.0f invokes/s  p50 %6.2f ms  nimbus %4.0f us/invoke  runtime "
                      "%4.0f us/invoke  ctxsw/invoke %.1f  errors %d  load %.1f" % (
                          a.kind, c, r["ops"], r["p50_us"] / 1000, (n1 - n0) * 1e6 / good,
                          runtime * 1e6 / good, (cs1 - cs0) / good,
                          r["non2xx"] + r["bad"] + r["socket_errors"], load), flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
