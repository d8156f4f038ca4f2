package nimbus.lambda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Exceptions as the Java runtime reports them: errorMessage, errorType, stackTrace, cause. */
final class Errors {
  private Errors() {}

  static Map<String, Object> body(Throwable t) {
    return body(t, 0);
  }

  private static Map<String, Object> body(Throwable t, int depth) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (t.getMessage() != null) out.put("errorMessage", t.getMessage());
    out.put("errorType", t.getClass().getName());
    out.put("stackTrace", frames(t));
    Throwable cause = t.getCause();
    if (cause != null && cause != t && depth < 16) out.put("cause", body(cause, depth + 1));
    return out;
  }

  /** A body of our own making (no stack): an init or input failure. */
  static Map<String, Object> body(String type, String message) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("errorMessage", message);
    out.put("errorType", type);
    out.put("stackTrace", List.of());
    return out;
  }

  /**
   * "example.Hello.handleRequest(Hello.java:12)" per frame, up to the runtime's own frames: the
   * reflective call into the handler and what is below it are not the function's.
   */
  static List<String> frames(Throwable t) {
    List<String> out = new ArrayList<>();
    StackTraceElement[] stack = t.getStackTrace();
    int end = stack.length;
    for (int i = 0; i < stack.length; i++) {
      if (stack[i].getClassName().startsWith("nimbus.lambda.")) {
        end = i;
        while (end > 0 && isReflection(stack[end - 1].getClassName())) end--;
        break;
      }
    }
    for (int i = 0; i < end; i++) out.add(frame(stack[i]));
    return out;
  }

  private static boolean isReflection(String cls) {
    return cls.startsWith("jdk.internal.reflect.") || cls.equals("java.lang.reflect.Method");
  }

  private static String frame(StackTraceElement e) {
    String where;
    if (e.isNativeMethod()) {
      where = "Native Method";
    } else if (e.getFileName() == null) {
      where = "Unknown Source";
    } else {
      where = e.getLineNumber() >= 0 ? e.getFileName() + ":" + e.getLineNumber() : e.getFileName();
    }
    return e.getClassName() + "." + e.getMethodName() + "(" + where + ")";
  }
}
