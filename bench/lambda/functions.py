"""Echo functions and interpreter start-up floors shared by bench/lambda and bench/apigateway."""
import io
import os
import statistics
import subprocess
import time
import zipfile

ROLE = "arn:aws:iam::123456789012:role/bench"  # moto takes only its own account

PYTHON_ECHO = (
    "import json\n"
    "def handler(event, context):\n"
    "    if isinstance(event, dict) and 'requestContext' in event:\n"
    "        return {'statusCode': 200, 'headers': {'content-type': 'application/json'},\n"
    "                'body': json.dumps({'echo': event.get('rawPath') or event.get('path')})}\n"
    "    return {'echo': event}\n")

NODE_ECHO = (
    "exports.handler = async (event) => {\n"
    "  if (event && event.requestContext) {\n"
    "    return {statusCode: 200, headers: {'content-type': 'application/json'},\n"
    "            body: JSON.stringify({echo: event.rawPath || event.path})};\n"
    "  }\n"
    "  return {echo: event};\n"
    "};\n")

RUNTIMES = {
    # label -> (Runtime, handler, file name, source, interpreter floor command)
    "python": ("python3.11", "app.handler", "app.py", PYTHON_ECHO),
    "node": ("nodejs20.x", "app.handler", "app.js", NODE_ECHO),
}


def zip_of(name, source):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, source)
    return buf.getvalue()


def create(lam, name, kind, memory=128, role=ROLE):
    runtime, handler, filename, source = RUNTIMES[kind]
    lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler=handler,
                        Code={"ZipFile": zip_of(filename, source)}, MemorySize=memory,
                        Timeout=30)
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                             WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})


def interpreter(kind):
    """The interpreter nimbus runs for the runtime (the same resolution as nimbus: the real
    binary, never a shim)."""
    if kind == "python":
        exe = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"],
                             capture_output=True, text=True).stdout.strip()
        return [os.path.realpath(exe), "-c", "pass"]
    exe = subprocess.run(["node", "-e", "process.stdout.write(process.execPath)"],
                         capture_output=True, text=True).stdout.strip()
    return [exe, "-e", "0"]


def floor_ms(kind, runs=15):
    """Median wall time for the bare interpreter to start and exit."""
    cmd = interpreter(kind)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)
