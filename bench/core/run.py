#!/usr/bin/env python3
"""Footprint and edge speed of nimbus, measured in one run:
  - binary size; start-to-ready time (process start until /_nimbus/health answers); idle RSS;
  - GetCallerIdentity over keep-alive with 64 connections (wrk, 2 threads): nimbus next to a
    minimal Beast "hello" server (the ceiling) and next to moto's server (the peer).
Usage: bench/core/run.py [--build build] [--seconds 10]"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=20):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                return r.status
        except OSError:
            time.sleep(0.0005)
    raise RuntimeError("no answer from " + url)


def start_to_ready(binary, runs=15):
    times = []
    for _ in range(runs):
        port = free_port()
        data = tempfile.mkdtemp(prefix="nimbus-bench-")
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data,
                              "--log-level", "warn"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        # Poll with raw connects: cheaper than an HTTP client per attempt.
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET /_nimbus/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(12).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                time.sleep(0.0002)
        times.append((time.perf_counter() - t0) * 1000)
        p.terminate()
        p.wait()
        shutil.rmtree(data, ignore_errors=True)
    return statistics.median(times), min(times)


def idle_rss(binary):
    port = free_port()
    data = tempfile.mkdtemp(prefix="nimbus-bench-")
    p = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data,
                          "--log-level", "warn"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:%d/_nimbus/health" % port)
        time.sleep(1.0)
        with open("/proc/%d/status" % p.pid) as f:
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))
        return kb / 1024.0
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(data, ignore_errors=True)


def wrk(url, seconds, connections=64, script=None):
    args = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency"]
    if script:
        args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000.0 if unit == "us" else v * 1000.0 if unit == "s" else v
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    binary = os.path.join(args.build, "nimbus")
    subprocess.run(["cmake", "--build", args.build, "--target", "nimbus", "bench_hello"],
                   check=True, stdout=subprocess.DEVNULL)
    script = os.path.join(HERE, "get_caller_identity.lua")

    size = os.path.getsize(binary) / (1024 * 1024)
    stripped = tempfile.mktemp()
    subprocess.run(["strip", "-o", stripped, binary], check=True)
    stripped_size = os.path.getsize(stripped) / (1024 * 1024)
    os.unlink(stripped)
    ready_median, ready_min = start_to_ready(binary)
    rss = idle_rss(binary)

    results = {}
    # nimbus
    port = free_port()
    data = tempfile.mkdtemp(prefix="nimbus-bench-")
    p = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data,
                          "--log-level", "warn"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        wait_http("http://127.0.0.1:%d/_nimbus/health" % port)
        wrk("http://127.0.0.1:%d/" % port, 2, script=script)  # warm-up
        results["nimbus GetCallerIdentity"] = wrk("http://127.0.0.1:%d/" % port, args.seconds,
                                                  script=script)
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(data, ignore_errors=True)
    # Beast hello (ceiling)
    port = free_port()
    p = subprocess.Popen([os.path.join(args.build, "bench_hello"), str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        p.stdout.readline()
        wrk("http://127.0.0.1:%d/" % port, 2, script=script)
        results["beast hello (ceiling)"] = wrk("http://127.0.0.1:%d/" % port, args.seconds,
                                               script=script)
    finally:
        p.terminate()
        p.wait()
    # moto (peer)
    moto = shutil.which("moto_server")
    if moto:
        port = free_port()
        py = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"],
                            capture_output=True, text=True).stdout.strip()
        p = subprocess.Popen([py, "-m", "moto.server", "-p", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_http("http://127.0.0.1:%d/moto-api/" % port, timeout=30)
            results["moto GetCallerIdentity"] = wrk("http://127.0.0.1:%d/" % port, args.seconds,
                                                    script=script)
        finally:
            p.terminate()
            p.wait()

    print("nimbus footprint")
    print("  binary size           %.1f MiB (%.1f MiB stripped)" % (size, stripped_size))
    print("  start-to-ready        %.1f ms median, %.1f ms best (goal < 20 ms)" %
          (ready_median, ready_min))
    print("  idle RSS              %.1f MiB (goal < 20 MiB)" % rss)
    print()
    print("%-28s %12s %10s %10s %8s" % ("64 connections, keep-alive", "req/s", "p50 ms",
                                         "p99 ms", "non-2xx"))
    for name, r in results.items():
        print("%-28s %12.0f %10.3f %10.3f %8d" % (name, r["rps"], r["p50"], r["p99"], r["errors"]))
    n = results["nimbus GetCallerIdentity"]["rps"]
    h = results["beast hello (ceiling)"]["rps"]
    print()
    print("nimbus / beast ceiling: %.0f%% (goal >= 70%%)" % (100.0 * n / h))
    if "moto GetCallerIdentity" in results:
        print("nimbus / moto:          %.1fx" % (n / results["moto GetCallerIdentity"]["rps"]))


if __name__ == "__main__":
    sys.exit(main())
