package nimbus.lambda;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A kept-alive HTTP/1.1 connection to the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API). Plain
 * sockets: java.net.http would load some hundreds of classes on every cold start.
 */
final class RuntimeApi {
  /** One answer: status, lower-case header names, body. */
  static final class Response {
    final int status;
    final Map<String, String> headers;
    final byte[] body;

    Response(int status, Map<String, String> headers, byte[] body) {
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  private final String hostPort;
  private final String host;
  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  RuntimeApi(String hostPort) {
    this.hostPort = hostPort;
    int colon = hostPort.lastIndexOf(':');
    this.host = hostPort.substring(0, colon);
    this.port = Integer.parseInt(hostPort.substring(colon + 1));
  }

  /** One call to /2018-06-01/runtime/{path}; retried once on a fresh connection. */
  Response request(String method, String path, byte[] body, Map<String, String> headers)
      throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        if (socket == null) connect();
        StringBuilder head = new StringBuilder();
        head.append(method).append(" /2018-06-01/runtime/").append(path).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostPort).append("\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\n");
        if (headers != null) {
          for (Map.Entry<String, String> h : headers.entrySet()) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
          }
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
        return readResponse();
      } catch (IOException e) {
        close();
        if (attempt > 0) throw e;
      }
    }
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port));
    in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
    out = new java.io.BufferedOutputStream(socket.getOutputStream(), 65536);
  }

  private void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // the connection is dropped either way
      }
    }
    socket = null;
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) throw new IOException("the Runtime API closed the connection");
      if (b == '\n') break;
      if (b != '\r') line.write(b);
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  private Response readResponse() throws IOException {
    String status = readLine();
    String[] parts = status.split(" ", 3);
    if (parts.length < 2) throw new IOException("bad status line: " + status);
    int code = Integer.parseInt(parts[1]);
    Map<String, String> headers = new HashMap<>();
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
      }
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    if (body.length < length) throw new IOException("the Runtime API closed the connection");
    if ("close".equalsIgnoreCase(headers.get("connection"))) close();
    return new Response(code, headers, body);
  }
}
