package nimbus.lambda;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nimbus's Lambda runtime client for Java: the handler contract of AWS's java17/java21 runtimes.
 *
 * <p>Started by nimbus with the standard Lambda environment and, as its argument, the layers'
 * directory ("" for none). The function's code is LAMBDA_TASK_ROOT (class files at its root,
 * jars under lib/) and the layers' java/lib/*.jar, loaded by a class loader whose parent holds
 * this runtime and its com.amazonaws.services.lambda.runtime interfaces: delegation is parent
 * first, so the handler and the runtime see one RequestHandler, Context... even when the
 * function's jar bundles aws-lambda-java-core. It then loops on the Runtime API: GET
 * invocation/next, run the handler, POST response or error.
 */
public final class Bootstrap {
  private static final byte[] EMPTY = new byte[0];

  private Bootstrap() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--train")) {
      Training.run();
      return;
    }
    String optDir = args.length > 0 ? args[0] : "";
    String taskRoot = System.getenv().getOrDefault("LAMBDA_TASK_ROOT", "/var/task");
    run(
        System.getenv("AWS_LAMBDA_RUNTIME_API"),
        System.getenv().getOrDefault("_HANDLER", ""),
        taskRoot,
        optDir,
        -1);
  }

  /** The runtime's loop; returns after `invocations` invocations (never when negative). */
  static void run(String apiHostPort, String spec, String taskRoot, String optDir, int invocations)
      throws Exception {
    RuntimeApi api = new RuntimeApi(apiHostPort);
    ClassLoader loader = userClassLoader(taskRoot, optDir);
    Thread.currentThread().setContextClassLoader(loader);

    Handler handler;
    try {
      handler = Handler.load(spec, loader);
    } catch (Handler.InitError e) {
      post(api, "init/error", e.body, (String) e.body.get("errorType"));
      System.exit(1);
      return;
    }

    for (int done = 0; invocations < 0 || done < invocations; done++) {
      RuntimeApi.Response next = api.request("GET", "invocation/next", EMPTY, null);
      if (next.status != 200) {
        Thread.sleep(10);
        done--;
        continue;
      }
      String requestId = next.headers.getOrDefault("lambda-runtime-aws-request-id", "");
      String trace = next.header("lambda-runtime-trace-id");
      if (trace != null) {
        System.setProperty("com.amazonaws.xray.traceHeader", trace);
      } else {
        System.clearProperty("com.amazonaws.xray.traceHeader");
      }
      long deadline = 0;
      try {
        deadline = Long.parseLong(next.headers.getOrDefault("lambda-runtime-deadline-ms", "0"));
      } catch (NumberFormatException ignored) {
        // no deadline: getRemainingTimeInMillis() answers 0
      }
      InvocationContext context =
          new InvocationContext(
              requestId,
              deadline,
              next.header("lambda-runtime-invoked-function-arn"),
              next.header("lambda-runtime-client-context"),
              next.header("lambda-runtime-cognito-identity"));
      String base = "invocation/" + requestId + "/";
      byte[] response;
      try {
        response = handler.invoke(next.body, context);
      } catch (Handler.InputError e) {
        Map<String, Object> body = Errors.body("java.lang.RuntimeException", e.getMessage());
        Map<String, Object> cause = Errors.body(e.getCause());
        cause.put("stackTrace", List.of());
        body.put("cause", cause);
        post(api, base + "error", body, "Unhandled");
        continue;
      } catch (Throwable t) {
        post(api, base + "error", Errors.body(t), "Unhandled");
        continue;
      } finally {
        System.out.flush();
        System.err.flush();
      }
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/json");
      api.request("POST", base + "response", response, headers);
    }
  }

  /** Logs an error body (one line, as the Java runtime logs it) and posts it to `path`. */
  private static void post(RuntimeApi api, String path, Map<String, Object> body, String type)
      throws IOException {
    String json;
    try {
      json = Json.write(body);
    } catch (RuntimeException e) {
      json = Json.write(Errors.body(String.valueOf(body.get("errorType")), "error"));
    }
    System.out.flush();
    System.err.println(json);
    System.err.flush();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Lambda-Runtime-Function-Error-Type", type);
    api.request("POST", path, json.getBytes(StandardCharsets.UTF_8), headers);
  }

  private static ClassLoader userClassLoader(String taskRoot, String optDir)
      throws MalformedURLException {
    List<URL> urls = new ArrayList<>();
    urls.add(new File(taskRoot).toURI().toURL());
    addJars(urls, new File(taskRoot, "lib"));
    if (!optDir.isEmpty()) addJars(urls, new File(optDir, "java/lib"));
    return new URLClassLoader("function", urls.toArray(new URL[0]), Bootstrap.class.getClassLoader());
  }

  private static void addJars(List<URL> urls, File dir) throws MalformedURLException {
    File[] jars = dir.listFiles((d, name) -> name.endsWith(".jar"));
    if (jars == null) return;
    Arrays.sort(jars);
    for (File jar : jars) urls.add(jar.toURI().toURL());
  }
}
