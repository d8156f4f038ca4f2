#!/usr/bin/env python3
"""API Gateway benchmark: requests through an HTTP API to a warm Python Lambda (AWS_PROXY,
payload 2.0) and through a REST API to a MOCK integration, next to direct Lambda Invoke of the
same function, in the same run.

  bench/apigateway/run.py [--build build | --binary PATH] [--seconds 10] [--warmup 3]
                          [--connections 1,64] [--no-moto]

wrk (keep-alive) sends `GET /<stage>/echo` with `Host: <apiId>.execute-api.localhost` to the
APIs and `POST /2015-03-31/functions/<fn>/invocations` (SigV4-shaped header, dummy signature)
for the direct Invoke. The direct Invoke's payload is the payload 2.0 event the HTTP API hands
the function (captured once through the gateway), so both paths move the same bytes into and
out of the function and the difference is the gateway's own work. The gateway's cost is the
p50 through the HTTP API minus the p50 of direct Invoke at the same connection count, and
nimbus's CPU per request (user+system of the nimbus process, runtimes not included) on each
path: on a shared machine the CPU figures are the ones to compare across runs. moto's server gets the same set-up: its MOCK
integration answers without Docker; its Lambda integrations need Docker, so what it answers
there is reported as it comes.
"""
import argparse
import importlib.util
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(BENCH, "lambda"))
import functions  # noqa: E402

spec = importlib.util.spec_from_file_location("bench_common", os.path.join(BENCH, "run.py"))
common = importlib.util.module_from_spec(spec)
spec.loader.exec_module(common)

WORKLOAD = os.path.join(HERE, "workload.lua")
# Answers the event it was given (once, to capture the gateway's event for direct Invoke).
PY_EVENT = ("import json\n"
            "def handler(event, context):\n"
            "    return {'statusCode': 200, 'body': json.dumps(event)}\n")
REGION = "us-east-1"
HOST = ".execute-api.us-east-1.amazonaws.com"  # AWS's own form; nimbus serves it too


def setup(endpoint, account):
    lam = common.client("lambda", endpoint)
    v2 = common.client("apigatewayv2", endpoint)
    rest = common.client("apigateway", endpoint)
    role = "arn:aws:iam::%s:role/bench" % account
    if account != "000000000000":  # moto wants the role to exist
        common.client("iam", endpoint).create_role(RoleName="bench", AssumeRolePolicyDocument="{}")
    out = {"fn": "gw-echo"}
    try:
        functions.create(lam, "gw-echo", "python", role=role)
        fn_arn = lam.get_function(FunctionName="gw-echo")["Configuration"]["FunctionArn"]
    except Exception as e:  # noqa: BLE001
        out["lambda_error"] = str(e).splitlines()[0][:200]
        fn_arn = "arn:aws:lambda:%s:%s:function:gw-echo" % (REGION, account)
    api = v2.create_api(Name="bench-http", ProtocolType="HTTP")
    integ = v2.create_integration(ApiId=api["ApiId"], IntegrationType="AWS_PROXY",
                                  IntegrationUri=fn_arn, PayloadFormatVersion="2.0")
    v2.create_route(ApiId=api["ApiId"], RouteKey="GET /echo",
                    Target="integrations/" + integ["IntegrationId"])
    v2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    out["http_api"] = api["ApiId"]
    out["event"] = capture_event(endpoint, lam, v2, api["ApiId"], role)

    r = rest.create_rest_api(name="bench-rest")
    root = [x for x in rest.get_resources(restApiId=r["id"])["items"] if x["path"] == "/"][0]
    res = rest.create_resource(restApiId=r["id"], parentId=root["id"], pathPart="mock")
    rest.put_method(restApiId=r["id"], resourceId=res["id"], httpMethod="GET",
                    authorizationType="NONE")
    rest.put_integration(restApiId=r["id"], resourceId=res["id"], httpMethod="GET", type="MOCK",
                         requestTemplates={"application/json": '{"statusCode": 200}'})
    rest.put_method_response(restApiId=r["id"], resourceId=res["id"], httpMethod="GET",
                             statusCode="200")
    rest.put_integration_response(restApiId=r["id"], resourceId=res["id"], httpMethod="GET",
                                  statusCode="200",
                                  responseTemplates={"application/json": '{"echo": "mock"}'})
    rest.create_deployment(restApiId=r["id"], stageName="prod")
    out["rest_api"] = r["id"]
    return out


def capture_event(endpoint, lam, v2, api_id, role):
    """The event GET /echo?n=1 hands a function through the HTTP API (a route to a function
    answering its event), as the direct Invoke's payload; a minimal 2.0 event when that fails
    (moto without Docker)."""
    import json
    import urllib.request
    fallback = json.dumps({"version": "2.0", "routeKey": "GET /echo", "rawPath": "/echo",
                           "rawQueryString": "n=1", "requestContext": {"http": {}}})
    try:
        lam.create_function(FunctionName="gw-event", Runtime="python3.11", Role=role,
                            Handler="app.handler",
                            Code={"ZipFile": functions.zip_of("app.py", PY_EVENT)})
        arn = lam.get_function(FunctionName="gw-event")["Configuration"]["FunctionArn"]
        integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                      IntegrationUri=arn, PayloadFormatVersion="2.0")
        v2.create_route(ApiId=api_id, RouteKey="GET /event",
                        Target="integrations/" + integ["IntegrationId"])
        req = urllib.request.Request(endpoint + "/event?n=1", headers={"Host": api_id + HOST})
        for _ in range(60):
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    event = json.loads(r.read())
                break
            except urllib.error.HTTPError:
                time.sleep(0.5)
        else:
            return fallback
        # The same request as the benchmark's, on the benchmark's route.
        event["routeKey"] = "GET /echo"
        event["rawPath"] = event["requestContext"]["http"]["path"] = "/echo"
        return json.dumps(event, separators=(",", ":"))
    except Exception:  # noqa: BLE001
        return fallback


def phases(base):
    return [
        ("direct Invoke", {"op": "Invoke", "fn": base["fn"], "payload": base["event"],
                           "want": "statusCode"}),
        ("HTTP API -> Lambda", {"op": "Get", "path": "/echo", "want": '"echo"',
                                "host": base["http_api"] + HOST}),
        ("REST API MOCK", {"op": "Get", "path": "/prod/mock", "want": '"echo"',
                           "host": base["rest_api"] + HOST}),
    ]


def probe(server, base, notes):
    """One request per path: moto's server runs Lambda only with Docker and does not serve
    invocation URLs, so there is nothing to load; say what it answers."""
    import urllib.request
    for label, params in phases(base):
        if params["op"] == "Invoke":
            lam = common.client("lambda", server.endpoint)
            r = lam.invoke(FunctionName=params["fn"], Payload=params["payload"].encode())
            status, body = r["StatusCode"], r["Payload"].read()
        else:
            req = urllib.request.Request(server.endpoint + params["path"],
                                         headers={"Host": params["host"]})
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    status, body = resp.status, resp.read()
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read()
        ok = status == 200 and params["want"].encode() in body
        notes.append("moto %s: %s %d %s" % (label, "works" if ok else "cannot:", status,
                                             body[:160].decode("utf-8", "replace")))


def run_server(server, args, conns, results, notes):
    account = "123456789012" if server.name == "moto" else "000000000000"
    base = setup(server.endpoint, account)
    if "lambda_error" in base:
        print("  [%s] Lambda: %s" % (server.name, base["lambda_error"]), flush=True)
    print("  [%s] direct Invoke payload: %d bytes (the HTTP API's event)" % (
        server.name, len(base["event"])), flush=True)
    if server.name == "moto":
        return probe(server, base, notes)
    for label, params in phases(base):
        params = dict(params, scope="lambda", tag=server.name)
        for c in conns:
            if args.warmup:
                common.run_wrk(server.endpoint, WORKLOAD, params, args.warmup, c)
            load = os.getloadavg()[0]
            cpu0 = server.cpu_seconds()
            r = common.run_wrk(server.endpoint, WORKLOAD, params, args.seconds, c)
            r["cpu_cores"] = (server.cpu_seconds() - cpu0) / (r["duration_us"] / 1e6)
            r["load"] = load
            results[(server.name, label, c)] = r
            print("  [%s] %-20s c=%-3d %8.0f ops/s  p50 %6.2f ms  p99 %7.2f ms  errors %d" % (
                server.name, label, c, r["ops"], r["p50_us"] / 1000, r["p99_us"] / 1000,
                r["non2xx"] + r["bad"] + r["socket_errors"]), flush=True)


def cpu_us(r):
    """nimbus's CPU microseconds per good request of one run."""
    return r["cpu_cores"] * 1e6 / r["ops"] if r["ops"] > 0 else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(BENCH), "build"))
    ap.add_argument("--binary")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--connections", default="1,64")
    ap.add_argument("--no-moto", action="store_true")
    args = ap.parse_args()
    binary = args.binary or os.path.join(args.build, "nimbus")
    conns = [int(c) for c in args.connections.split(",") if c.strip()]
    log_dir = tempfile.mkdtemp(prefix="nimbus-bench-logs-")
    print("%s  %d cores  load %s  nimbus %s" % (
        time.strftime("%Y-%m-%d %H:%M:%S"), os.cpu_count(),
        " ".join("%.2f" % x for x in os.getloadavg()), binary), flush=True)
    results, notes = {}, []
    servers = [("nimbus", lambda: common.start_nimbus(binary, False, log_dir))]
    if not args.no_moto:
        servers.append(("moto", lambda: common.start_moto(log_dir)))
    for name, start in servers:
        server = start()
        try:
            run_server(server, args, conns, results, notes)
        finally:
            server.stop()

    print()
    print("## API Gateway (wrk keep-alive, GET through the gateway, POST for direct Invoke)")
    print()
    print("| path | server | conns | req/s | p50 ms | p90 ms | p99 ms | errors | nimbus/moto | "
          "server cores | server CPU us/req | wrk cores | load |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (server, label, c), r in results.items():
        ratio = ""
        m = results.get(("moto", label, c))
        if server == "nimbus" and m:
            ratio = "%.1fx" % (r["ops"] / m["ops"]) if m["ops"] > 0 else "moto: none"
        print("| %s | %s | %d | %.0f | %.2f | %.2f | %.2f | %d | %s | %.2f | %.1f | %.2f | %.1f |"
              % (label, server, c, r["ops"], r["p50_us"] / 1000, r["p90_us"] / 1000,
                 r["p99_us"] / 1000, r["non2xx"] + r["bad"] + r["socket_errors"], ratio,
                 r["cpu_cores"], cpu_us(r), r["client_cores"], r["load"]))
    for (server, label, c), r in results.items():
        for s in r["samples"][:1]:
            print("%s %s c=%d sample: %s" % (server, label, c, s[:300]))
    for line in notes:
        print(line)
    print("\nAgainst the API Gateway issue's goals:")
    for c in conns:
        d = results.get(("nimbus", "direct Invoke", c))
        g = results.get(("nimbus", "HTTP API -> Lambda", c))
        if d and g:
            added = (g["p50_us"] - d["p50_us"]) / 1000
            print("- gateway p50 cost at %d connection(s): %.3f ms (goal < 0.2 ms): %s; "
                  "nimbus CPU per request %.1f us through the HTTP API, %.1f us direct: "
                  "the gateway's own %.1f us" % (
                      c, added, "met" if added < 0.2 else "NOT met", cpu_us(g), cpu_us(d),
                      cpu_us(g) - cpu_us(d)))
    g = results.get(("nimbus", "HTTP API -> Lambda", max(conns)))
    if g:
        print("- HTTP API to Lambda at %d connections: %.0f req/s (goal >= 5000): %s" % (
            max(conns), g["ops"], "met" if g["ops"] >= 5000 else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
