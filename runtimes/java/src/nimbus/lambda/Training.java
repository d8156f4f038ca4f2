package nimbus.lambda;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `Bootstrap --train`: two invocations (one answered, one thrown) of {@link Sample} through a
 * Runtime API served here on loopback, so that a JVM started with -XX:ArchiveClassesAtExit
 * archives the classes a cold start loads (nimbus then starts functions' JVMs with that
 * archive).
 */
final class Training {
  private Training() {}

  /** The training handler: a POJO in, a map out, or an exception when asked. */
  public static final class Sample {
    public String name;
    public List<Integer> values;
    public boolean fail;

    public Sample() {}
  }

  public static Map<String, Object> handle(
      Sample in, com.amazonaws.services.lambda.runtime.Context context) {
    if (in.fail) throw new IllegalStateException("training failure");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", in.name);
    out.put("values", in.values);
    out.put("requestId", context.getAwsRequestId());
    out.put("remaining", context.getRemainingTimeInMillis());
    return out;
  }

  static void run() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      Thread api =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  serve(s);
                } catch (IOException e) {
                  // the runtime side reports its own failure
                }
              });
      api.setDaemon(true);
      api.start();
      Bootstrap.run(
          "127.0.0.1:" + server.getLocalPort(),
          Training.class.getName() + "::handle",
          System.getProperty("java.io.tmpdir"),
          "",
          2);
    }
  }

  private static void serve(Socket s) throws IOException {
    InputStream in = new BufferedInputStream(s.getInputStream());
    OutputStream out = s.getOutputStream();
    int next = 0;
    while (true) {
      String request = head(in);
      if (request == null) return;
      int length = 0;
      for (String line : request.split("\\r\\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      in.readNBytes(length);
      byte[] body;
      String headers = "";
      if (request.startsWith("GET ")) {
        next++;
        body =
            ("{\"name\":\"training\",\"values\":[1,2,3],\"fail\":" + (next > 1) + "}")
                .getBytes(StandardCharsets.UTF_8);
        headers =
            "Lambda-Runtime-Aws-Request-Id: training-"
                + next
                + "\r\nLambda-Runtime-Deadline-Ms: "
                + (System.currentTimeMillis() + 60000)
                + "\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:"
                + "000000000000:function:training\r\n";
      } else {
        body = "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
      }
      String status = request.startsWith("GET ") ? "200 OK" : "202 Accepted";
      out.write(
          ("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n" + headers
                  + "Content-Length: " + body.length + "\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.write(body);
      out.flush();
    }
  }

  /** A request's head, or null at the end of the connection. */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) return null;
      b.write(c);
      matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
    }
    return b.toString(StandardCharsets.UTF_8);
  }
}
