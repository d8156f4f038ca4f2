"""Lambda java17/java21 runtimes on the machine's own JDK: handlers compiled here with javac
against nimbus's declaration of the handler API (runtimes/java/src), packaged as AWS takes
Java code (a jar uploaded as the zip, class files at a zip's root, jars under lib/), and
invoked through boto3 as AWS answers (developer guide: "Building Lambda functions with Java":
handler, context, logging, errors)."""
import base64
import glob
import io
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import zipfile

from nimbus_harness import ROOT
from test_lambda_support import ROLE, LambdaTestCase

JAVAC = shutil.which("javac")
API_SOURCES = os.path.join(ROOT, "runtimes", "java", "src")

SOURCES = {
    "example/Echo.java": """
package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

public class Echo implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  private int count;

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    context.getLogger().log("echo " + event);
    System.out.println("stdout line");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("event", event);
    out.put("requestId", context.getAwsRequestId());
    out.put("functionName", context.getFunctionName());
    out.put("functionVersion", context.getFunctionVersion());
    out.put("invokedFunctionArn", context.getInvokedFunctionArn());
    out.put("memoryLimitInMB", context.getMemoryLimitInMB());
    out.put("logGroupName", context.getLogGroupName());
    out.put("logStreamName", context.getLogStreamName());
    out.put("remaining", context.getRemainingTimeInMillis());
    out.put("count", ++count);
    out.put("javaVersion", System.getProperty("java.specification.version"));
    out.put("cwd", System.getProperty("user.dir"));
    Map<String, String> env = new LinkedHashMap<>();
    for (String k : new String[] {"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER",
        "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
        "AWS_ENDPOINT_URL", "AWS_EXECUTION_ENV", "GREETING"}) {
      env.put(k, System.getenv(k));
    }
    out.put("env", env);
    return out;
  }
}
""",
    "example/Upper.java": """
package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

public class Upper implements RequestStreamHandler {
  @Override
  public void handleRequest(InputStream in, OutputStream out, Context context)
      throws IOException {
    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    out.write(text.toUpperCase().getBytes(StandardCharsets.UTF_8));
  }
}
""",
    "example/Person.java": """
package example;

import java.util.List;

public class Person {
  private String name;
  private int age;
  private List<String> tags;
  public Address address;

  public static class Address {
    public String city;
    public int zip;
  }

  public void setName(String name) { this.name = name; }
  public String getName() { return name; }
  public void setAge(int age) { this.age = age; }
  public int getAge() { return age; }
  public void setTags(List<String> tags) { this.tags = tags; }
  public List<String> getTags() { return tags; }
}
""",
    "example/Greeter.java": """
package example;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.List;

public class Greeter {
  public static class Greeting {
    private final String message;
    private final boolean adult;
    private final List<String> tags;
    public String city;

    Greeting(String message, boolean adult, List<String> tags, String city) {
      this.message = message;
      this.adult = adult;
      this.tags = tags;
      this.city = city;
    }

    public String getMessage() { return message; }
    public boolean isAdult() { return adult; }
    public List<String> getTags() { return tags; }
  }

  public Greeting greet(Person p, Context context) {
    return new Greeting("Hello, " + p.getName() + "!", p.getAge() >= 18, p.getTags(),
                        p.address == null ? null : p.address.city + " " + p.address.zip);
  }

  public static String shout(String s) {
    return s.toUpperCase();
  }

  public static long twice(int n) {
    return 2L * n;
  }
}
""",
    "example/Thrower.java": """
package example;

import java.util.Map;

public class Thrower {
  public String handle(Map<String, Object> event) {
    return check(event);
  }

  private String check(Map<String, Object> event) {
    throw new IllegalStateException("bad input: " + event.get("n"),
                                    new NumberFormatException("not a number"));
  }
}
""",
    "example/Slow.java": """
package example;

import java.util.Map;

public class Slow {
  public String handle(Map<String, Object> event) throws InterruptedException {
    Thread.sleep(((Number) event.get("sleep")).longValue());
    return "done";
  }
}
""",
    "example/Hog.java": """
package example;

import java.util.ArrayList;
import java.util.List;

public class Hog {
  public static int handle(Object event) {
    List<byte[]> blocks = new ArrayList<>();
    for (int i = 0; i < 64; i++) blocks.add(new byte[16 << 20]);
    return blocks.size();
  }
}
""",
    "example/Dynamo.java": """
package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** PutItem to the DynamoDB at AWS_ENDPOINT_URL, SigV4-signed with the role's credentials. */
public class Dynamo implements RequestHandler<Map<String, String>, Map<String, Object>> {
  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) s.append(String.format("%02x", x));
    return s.toString();
  }

  private static byte[] hmac(byte[] key, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Map<String, Object> handleRequest(Map<String, String> event, Context context) {
    try {
      String endpoint = System.getenv("AWS_ENDPOINT_URL");
      String region = System.getenv("AWS_REGION");
      URI uri = URI.create(endpoint + "/");
      String host = uri.getHost() + ":" + uri.getPort();
      String body = "{\\"TableName\\":\\"" + event.get("table") + "\\",\\"Item\\":{\\"pk\\":{\\"S\\":\\""
          + event.get("pk") + "\\"},\\"from\\":{\\"S\\":\\"" + context.getFunctionName() + "\\"}}}";
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      String amzDate = now.format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
      String date = amzDate.substring(0, 8);
      String token = System.getenv("AWS_SESSION_TOKEN");
      String target = "DynamoDB_20120810.PutItem";
      String payloadHash = hex(MessageDigest.getInstance("SHA-256")
          .digest(body.getBytes(StandardCharsets.UTF_8)));
      String signedHeaders = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
      String canonical = "POST\\n/\\n\\ncontent-type:application/x-amz-json-1.0\\nhost:" + host
          + "\\nx-amz-date:" + amzDate + "\\nx-amz-security-token:" + token + "\\nx-amz-target:"
          + target + "\\n\\n" + signedHeaders + "\\n" + payloadHash;
      String scope = date + "/" + region + "/dynamodb/aws4_request";
      String toSign = "AWS4-HMAC-SHA256\\n" + amzDate + "\\n" + scope + "\\n"
          + hex(MessageDigest.getInstance("SHA-256")
              .digest(canonical.getBytes(StandardCharsets.UTF_8)));
      byte[] key = hmac(("AWS4" + System.getenv("AWS_SECRET_ACCESS_KEY"))
          .getBytes(StandardCharsets.UTF_8), date);
      key = hmac(hmac(hmac(key, region), "dynamodb"), "aws4_request");
      String auth = "AWS4-HMAC-SHA256 Credential=" + System.getenv("AWS_ACCESS_KEY_ID") + "/"
          + scope + ", SignedHeaders=" + signedHeaders + ", Signature=" + hex(hmac(key, toSign));
      HttpRequest req = HttpRequest.newBuilder(uri)
          .header("Content-Type", "application/x-amz-json-1.0")
          .header("X-Amz-Date", amzDate)
          .header("X-Amz-Security-Token", token)
          .header("X-Amz-Target", target)
          .header("Authorization", auth)
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      HttpResponse<String> resp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .build().send(req, HttpResponse.BodyHandlers.ofString());
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", resp.statusCode());
      out.put("body", resp.body());
      return out;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
""",
    "example/Failing.java": """
package example;

public class Failing {
  static {
    if (true) throw new IllegalStateException("no configuration");
  }

  public String handle(String s) {
    return s;
  }
}
""",
}


def build_classes(out_dir, release="17"):
    """Compiles SOURCES (and, through -sourcepath, the handler API they use) into out_dir."""
    src = os.path.join(out_dir, "src")
    classes = os.path.join(out_dir, "classes")
    for name, text in SOURCES.items():
        path = os.path.join(src, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    subprocess.run([JAVAC, "--release", release, "-sourcepath", API_SOURCES, "-d", classes]
                   + [os.path.join(src, n) for n in SOURCES], check=True)
    return classes


def class_files(classes, with_api=False):
    """{zip entry name: bytes} of the compiled classes; the handler API's only if `with_api`."""
    files = {}
    for path in glob.glob(os.path.join(classes, "**", "*.class"), recursive=True):
        rel = os.path.relpath(path, classes)
        if rel.startswith("com/") and not with_api:
            continue
        with open(path, "rb") as f:
            files[rel] = f.read()
    return files


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def jar_bytes(files):
    return zip_bytes(dict({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\n\r\n"}, **files))


def payload(resp):
    return json.loads(resp["Payload"].read())


@unittest.skipIf(JAVAC is None, "javac (a JDK) is not installed: the Java handlers of these "
                 "tests cannot be compiled, and nimbus has no Java runtime client without it")
class JavaRuntimeTest(LambdaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = tempfile.mkdtemp(prefix="nimbus-java-")
        classes = build_classes(cls.work)
        cls.jar = jar_bytes(class_files(classes))
        cls.fat_jar = jar_bytes(class_files(classes, with_api=True))
        cls.classes_zip = zip_bytes(class_files(classes))
        cls.lib_zip = zip_bytes({"lib/handlers.jar": cls.jar})

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)
        super().tearDownClass()

    def create_java(self, name, handler, code=None, runtime="java17", **kw):
        return self.lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE,
                                        Handler=handler, Code={"ZipFile": code or self.jar}, **kw)

    def test_echo_event_context_and_environment(self):
        self.create_java("java-echo", "example.Echo", MemorySize=256, Timeout=30,
                         Environment={"Variables": {"GREETING": "hi"}})
        resp = self.lam.invoke(FunctionName="java-echo", Payload=b'{"a": 1, "b": [true, null]}',
                               LogType="Tail")
        self.assertEqual(resp["StatusCode"], 200)
        self.assertNotIn("FunctionError", resp)
        out = payload(resp)
        self.assertEqual(out["event"], {"a": 1, "b": [True, None]})
        self.assertEqual(out["requestId"], resp["ResponseMetadata"]["RequestId"])
        self.assertEqual(out["functionName"], "java-echo")
        self.assertEqual(out["functionVersion"], "$LATEST")
        self.assertEqual(out["invokedFunctionArn"],
                         "arn:aws:lambda:us-east-1:000000000000:function:java-echo")
        self.assertEqual(out["memoryLimitInMB"], 256)
        self.assertEqual(out["logGroupName"], "/aws/lambda/java-echo")
        self.assertRegex(out["logStreamName"], r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
        self.assertTrue(25000 < out["remaining"] <= 30000, out["remaining"])
        self.assertEqual(out["javaVersion"], "17")
        env = out["env"]
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "java-echo")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/java-echo")
        self.assertEqual(env["AWS_LAMBDA_LOG_STREAM_NAME"], out["logStreamName"])
        self.assertEqual(env["AWS_REGION"], "us-east-1")
        self.assertEqual(env["AWS_DEFAULT_REGION"], "us-east-1")
        self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_java17")
        self.assertEqual(env["_HANDLER"], "example.Echo")
        self.assertEqual(env["TZ"], ":UTC")
        self.assertEqual(env["GREETING"], "hi")
        self.assertTrue(env["AWS_ACCESS_KEY_ID"].startswith("ASIA"))
        self.assertTrue(env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"])
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual(env["AWS_ENDPOINT_URL"], self.server.endpoint)
        self.assertEqual(out["cwd"], env["LAMBDA_TASK_ROOT"])
        if "bubblewrap" in self.server_log():
            self.assertEqual(env["LAMBDA_TASK_ROOT"], "/var/task")
            self.assertEqual(env["LAMBDA_RUNTIME_DIR"], "/var/runtime")
        log = base64.b64decode(resp["LogResult"]).decode()
        self.assertIn("echo {a=1, b=[true, null]}", log)
        self.assertIn("stdout line", log)
        self.assertIn("Init Duration", log)
        # The environment is reused: the handler instance keeps its state.
        again = payload(self.lam.invoke(FunctionName="java-echo", Payload=b"{}"))
        self.assertEqual(again["count"], 2)
        self.assertEqual(again["event"], {})

    def test_java21_runs_on_a_jdk_of_21_or_newer(self):
        self.create_java("java21-echo", "example.Echo", runtime="java21")
        out = payload(self.lam.invoke(FunctionName="java21-echo", Payload=b'{"x": "y"}'))
        self.assertEqual(out["event"], {"x": "y"})
        self.assertGreaterEqual(int(out["javaVersion"]), 21)
        self.assertEqual(out["env"]["AWS_EXECUTION_ENV"], "AWS_Lambda_java21")

    def test_request_stream_handler_gets_the_raw_bytes(self):
        self.create_java("java-upper", "example.Upper")
        resp = self.lam.invoke(FunctionName="java-upper", Payload='{"k": "vé"}'.encode())
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(resp["Payload"].read(), '{"K": "VÉ"}'.encode())

    def test_five_megabyte_payload_through_a_stream_handler(self):
        self.create_java("java-big", "example.Upper", MemorySize=512)
        big = json.dumps({"s": "ab" * (5 << 19)}).encode()
        resp = self.lam.invoke(FunctionName="java-big", Payload=big)
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(resp["Payload"].read(), big.upper())

    def test_malformed_handler_names_are_init_errors(self):
        for name, handler, message in (
                ("java-empty-class", "::handle", "Class not found: "),
                ("java-slashes", "example/Greeter", "Class not found: example/Greeter")):
            self.create_java(name, handler)
            resp = self.lam.invoke(FunctionName=name)
            self.assertEqual(resp["FunctionError"], "Unhandled")
            err = payload(resp)
            self.assertEqual(err["errorType"], "java.lang.ClassNotFoundException")
            self.assertEqual(err["errorMessage"], message)
        self.create_java("java-empty-method", "example.Greeter::")
        err = payload(self.lam.invoke(FunctionName="java-empty-method"))
        self.assertEqual(err["errorType"], "java.lang.NoSuchMethodException")

    def test_pojo_input_and_output(self):
        self.create_java("java-pojo", "example.Greeter::greet")
        event = {"name": "Ada", "age": 36, "tags": ["x", "y"], "address": {"city": "London",
                                                                            "zip": 1},
                 "unknown": {"ignored": True}}
        resp = self.lam.invoke(FunctionName="java-pojo", Payload=json.dumps(event))
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(payload(resp), {"message": "Hello, Ada!", "adult": True,
                                         "tags": ["x", "y"], "city": "London 1"})

    def test_string_and_number_inputs_of_static_methods(self):
        self.create_java("java-shout", "example.Greeter::shout")
        self.assertEqual(payload(self.lam.invoke(FunctionName="java-shout",
                                                 Payload=b'"quiet"')), "QUIET")
        self.create_java("java-twice", "example.Greeter::twice")
        self.assertEqual(payload(self.lam.invoke(FunctionName="java-twice", Payload=b"21")), 42)

    def test_input_that_does_not_fit_the_type(self):
        self.create_java("java-badinput", "example.Greeter::twice")
        resp = self.lam.invoke(FunctionName="java-badinput", Payload=b'{"n": 1}')
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "java.lang.RuntimeException")
        self.assertEqual(err["errorMessage"], "An error occurred during JSON parsing")
        self.assertEqual(err["cause"]["errorMessage"],
                         "Cannot deserialize value of type `int` from Object value")

    def test_thrown_exception_is_reported_unhandled(self):
        self.create_java("java-throw", "example.Thrower::handle")
        resp = self.lam.invoke(FunctionName="java-throw", Payload=b'{"n": 7}', LogType="Tail")
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "java.lang.IllegalStateException")
        self.assertEqual(err["errorMessage"], "bad input: 7")
        self.assertEqual(err["stackTrace"][:2], ["example.Thrower.check(Thrower.java:12)",
                                                 "example.Thrower.handle(Thrower.java:8)"])
        self.assertEqual(len(err["stackTrace"]), 2)
        self.assertEqual(err["cause"]["errorType"], "java.lang.NumberFormatException")
        self.assertEqual(err["cause"]["errorMessage"], "not a number")
        log = base64.b64decode(resp["LogResult"]).decode()
        self.assertIn('"errorType":"java.lang.IllegalStateException"', log)
        self.assertIn("END RequestId: " + resp["ResponseMetadata"]["RequestId"], log)
        # The environment survives a thrown exception.
        again = self.lam.invoke(FunctionName="java-throw", Payload=b'{"n": 8}')
        self.assertEqual(payload(again)["errorMessage"], "bad input: 8")

    def test_exceeding_memory(self):
        # The heap is MemorySize less max(64 MB, an eighth): a 128 MB function has 64 MB of heap,
        # and filling it is Java's own OutOfMemoryError, a function error, as on Lambda.
        self.create_java("java-hog", "example.Hog::handle", MemorySize=128, Timeout=30)
        resp = self.lam.invoke(FunctionName="java-hog", Payload=b"{}")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "java.lang.OutOfMemoryError")
        self.assertEqual(err["errorMessage"], "Java heap space")

    def test_timeout(self):
        self.create_java("java-slow", "example.Slow::handle", Timeout=1)
        started = time.time()
        resp = self.lam.invoke(FunctionName="java-slow", Payload=b'{"sleep": 30000}')
        self.assertLess(time.time() - started, 10)
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "Sandbox.Timedout")
        self.assertEqual(err["errorMessage"], "RequestId: %s Error: Task timed out after 1.00 "
                         "seconds" % resp["ResponseMetadata"]["RequestId"])
        self.assertEqual(payload(self.lam.invoke(FunctionName="java-slow",
                                                 Payload=b'{"sleep": 0}')), "done")

    def test_missing_class_is_an_init_error(self):
        self.create_java("java-noclass", "example.Nope")
        resp = self.lam.invoke(FunctionName="java-noclass")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "java.lang.ClassNotFoundException")
        self.assertEqual(err["errorMessage"], "Class not found: example.Nope")

    def test_missing_method_is_an_init_error(self):
        self.create_java("java-nomethod", "example.Greeter::nope")
        err = payload(self.lam.invoke(FunctionName="java-nomethod"))
        self.assertEqual(err["errorType"], "java.lang.NoSuchMethodException")
        self.assertEqual(err["errorMessage"], "No public method named nope with appropriate "
                         "method signature found on class example.Greeter")

    def test_static_initializer_failure_is_an_init_error(self):
        self.create_java("java-clinit", "example.Failing::handle")
        err = payload(self.lam.invoke(FunctionName="java-clinit", Payload=b'"x"'))
        self.assertEqual(err["errorType"], "java.lang.IllegalStateException")
        self.assertEqual(err["errorMessage"], "no configuration")

    def test_class_without_handler_interface_needs_a_method(self):
        self.create_java("java-nointerface", "example.Greeter")
        err = payload(self.lam.invoke(FunctionName="java-nointerface"))
        self.assertEqual(err["errorType"], "java.lang.IllegalArgumentException")
        self.assertIn("does not implement RequestHandler", err["errorMessage"])

    def test_zip_of_classes_and_zip_with_lib_jars(self):
        self.create_java("java-classes", "example.Greeter::shout", code=self.classes_zip)
        self.assertEqual(payload(self.lam.invoke(FunctionName="java-classes",
                                                 Payload=b'"a"')), "A")
        self.create_java("java-lib", "example.Greeter::shout", code=self.lib_zip)
        self.assertEqual(payload(self.lam.invoke(FunctionName="java-lib", Payload=b'"b"')), "B")

    def test_jars_of_a_layer_under_java_lib(self):
        layer = self.lam.publish_layer_version(
            LayerName="java-handlers",
            Content={"ZipFile": zip_bytes({"java/lib/handlers.jar": self.jar})})
        self.create_java("java-layer", "example.Greeter::shout",
                         code=zip_bytes({"README": b"the classes are in the layer"}),
                         Layers=[layer["LayerVersionArn"]])
        self.assertEqual(payload(self.lam.invoke(FunctionName="java-layer", Payload=b'"c"')), "C")

    def test_jar_bundling_the_handler_api(self):
        # The function's own copy of com.amazonaws.services.lambda.runtime is shadowed by the
        # runtime's (parent-first loading), so its RequestHandler is the one the runtime knows.
        self.create_java("java-fat", "example.Echo", code=self.fat_jar)
        out = payload(self.lam.invoke(FunctionName="java-fat", Payload=b'{"fat": true}'))
        self.assertEqual(out["event"], {"fat": True})

    def test_cold_starts_map_the_runtime_class_data_archive(self):
        # The first Java cold start has nimbus make a class-data archive of the runtime client
        # in the background; later cold starts load the runtime's classes from it.
        self.create_java("java-cds", "example.Greeter::shout", Environment={
            "Variables": {"JAVA_TOOL_OPTIONS": "-Xlog:class+load=info:stdout"}})
        self.assertEqual(payload(self.lam.invoke(FunctionName="java-cds", Payload=b'"a"')), "A")
        deadline = time.time() + 60
        while "class-data archive for" not in self.server_log() and time.time() < deadline:
            time.sleep(0.2)
        self.assertIn("class-data archive for", self.server_log())
        self.assertNotIn("no class-data archive", self.server_log())
        self.lam.update_function_configuration(FunctionName="java-cds", Description="cold again")
        self.assertEqual(payload(self.lam.invoke(FunctionName="java-cds", Payload=b'"b"')), "B")
        logs = self.client("logs")
        sources = []
        deadline = time.time() + 10
        while len(sources) < 2 and time.time() < deadline:
            events = logs.filter_log_events(logGroupName="/aws/lambda/java-cds",
                                            filterPattern='"nimbus.lambda.Handler source"')
            sources = [e["message"].split("source: ")[1].strip() for e in events["events"]]
            time.sleep(0.2)
        self.assertEqual(len(sources), 2, sources)
        self.assertIn("shared objects file (top)", sources)

    def test_handler_calls_nimbus_dynamodb(self):
        ddb = self.client("dynamodb")
        ddb.create_table(TableName="java-items",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        self.create_java("java-ddb", "example.Dynamo", Timeout=30)
        resp = self.lam.invoke(FunctionName="java-ddb",
                               Payload=json.dumps({"table": "java-items", "pk": "k1"}))
        self.assertNotIn("FunctionError", resp, resp["Payload"].read() if "FunctionError" in resp
                         else "")
        out = payload(resp)
        self.assertEqual(out, {"status": 200, "body": "{}"})
        item = ddb.get_item(TableName="java-items", Key={"pk": {"S": "k1"}})["Item"]
        self.assertEqual(item, {"pk": {"S": "k1"}, "from": {"S": "java-ddb"}})


if __name__ == "__main__":
    unittest.main()
