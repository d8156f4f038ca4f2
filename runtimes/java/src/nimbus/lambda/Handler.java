package nimbus.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The function's handler named by _HANDLER: "package.Class::method" (a public method taking
 * (InputStream, OutputStream[, Context]) or ([input][, Context])) or "package.Class" (a
 * RequestHandler or RequestStreamHandler). Loading runs the class's static initializer and its
 * no-arg constructor (for an instance method), as in the init phase.
 */
final class Handler {
  /** A failure of the init phase, reported to init/error. */
  static final class InitError extends Exception {
    private static final long serialVersionUID = 1L;

    final transient Map<String, Object> body;

    InitError(Map<String, Object> body) {
      super((String) body.get("errorMessage"));
      this.body = body;
    }
  }

  /** A payload the handler's input type cannot take. */
  static final class InputError extends Exception {
    private static final long serialVersionUID = 1L;

    InputError(Throwable cause) {
      super("An error occurred during JSON parsing", cause);
    }
  }

  private final Method method;
  private final Object target;  // null for a static method
  private final boolean stream;
  private final Type inputType;  // null: the method takes no input
  private final boolean withContext;

  private Handler(Method method, Object target, boolean stream, Type inputType, boolean ctx) {
    this.method = method;
    this.target = target;
    this.stream = stream;
    this.inputType = inputType;
    this.withContext = ctx;
  }

  static Handler load(String spec, ClassLoader loader) throws InitError {
    int sep = spec.indexOf("::");
    String className = sep < 0 ? spec : spec.substring(0, sep);
    String methodName = sep < 0 ? null : spec.substring(sep + 2);
    Class<?> cls;
    try {
      cls = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new InitError(
          Errors.body("java.lang.ClassNotFoundException", "Class not found: " + className));
    } catch (ExceptionInInitializerError e) {
      throw new InitError(Errors.body(e.getCause() != null ? e.getCause() : e));
    } catch (LinkageError e) {
      throw new InitError(Errors.body(e));
    }

    if (methodName == null) {
      if (RequestStreamHandler.class.isAssignableFrom(cls)) {
        Method m = interfaceMethod(RequestStreamHandler.class);
        return new Handler(m, instance(cls), true, null, true);
      }
      if (RequestHandler.class.isAssignableFrom(cls)) {
        Type input = requestHandlerInput(cls, new HashMap<>());
        Method m = interfaceMethod(RequestHandler.class);
        return new Handler(m, instance(cls), false, input == null ? Object.class : input, true);
      }
      throw new InitError(
          Errors.body(
              "java.lang.IllegalArgumentException",
              "Class "
                  + className
                  + " does not implement RequestHandler or RequestStreamHandler: name a method"
                  + " as "
                  + className
                  + "::method"));
    }

    Method best = null;
    int bestRank = -1;
    for (Method m : cls.getMethods()) {
      if (!m.getName().equals(methodName) || m.isBridge() || m.isSynthetic()) continue;
      int rank = rank(m.getParameterTypes());
      if (rank > bestRank) {
        best = m;
        bestRank = rank;
      }
    }
    if (best == null) {
      throw new InitError(
          Errors.body(
              "java.lang.NoSuchMethodException",
              "No public method named "
                  + methodName
                  + " with appropriate method signature found on class "
                  + className));
    }
    Class<?>[] p = best.getParameterTypes();
    Type[] g = best.getGenericParameterTypes();
    Object target = Modifier.isStatic(best.getModifiers()) ? null : instance(cls);
    best.setAccessible(true);
    boolean ctx = p.length > 0 && p[p.length - 1] == Context.class;
    boolean stream = p.length >= 2 && p[0] == InputStream.class && p[1] == OutputStream.class;
    Type input = stream || p.length == 0 || (p.length == 1 && ctx) ? null : g[0];
    return new Handler(best, target, stream, input, ctx);
  }

  /** How well a parameter list fits a handler; -1 when it does not. */
  private static int rank(Class<?>[] p) {
    if (p.length == 3) {
      return p[0] == InputStream.class && p[1] == OutputStream.class && p[2] == Context.class
          ? 5
          : -1;
    }
    if (p.length == 2 && p[0] == InputStream.class && p[1] == OutputStream.class) return 4;
    if (p.length == 2) return p[1] == Context.class ? 3 : -1;
    if (p.length == 1) return 2;
    return p.length == 0 ? 1 : -1;
  }

  private static Method interfaceMethod(Class<?> iface) {
    for (Method m : iface.getMethods()) {
      if (m.getName().equals("handleRequest")) return m;
    }
    throw new IllegalStateException("no handleRequest in " + iface.getName());
  }

  private static Object instance(Class<?> cls) throws InitError {
    try {
      Constructor<?> k = cls.getDeclaredConstructor();
      k.setAccessible(true);
      return k.newInstance();
    } catch (NoSuchMethodException e) {
      throw new InitError(
          Errors.body(
              "java.lang.NoSuchMethodException",
              "Class " + cls.getName() + " has no public zero-argument constructor"));
    } catch (InvocationTargetException e) {
      throw new InitError(Errors.body(e.getCause()));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      throw new InitError(Errors.body(e));
    }
  }

  /** The I of RequestHandler<I, O> as `t` binds it, through superclasses and interfaces. */
  private static Type requestHandlerInput(Type t, Map<TypeVariable<?>, Type> outer) {
    Class<?> raw;
    Map<TypeVariable<?>, Type> bindings = new HashMap<>();
    if (t instanceof ParameterizedType p) {
      raw = (Class<?>) p.getRawType();
      TypeVariable<?>[] vars = raw.getTypeParameters();
      Type[] args = p.getActualTypeArguments();
      for (int i = 0; i < vars.length && i < args.length; i++) {
        Type a = args[i];
        bindings.put(vars[i], a instanceof TypeVariable<?> v && outer.containsKey(v) ? outer.get(v) : a);
      }
    } else if (t instanceof Class<?> c) {
      raw = c;
    } else {
      return null;
    }
    if (raw == RequestHandler.class) {
      Type input = bindings.get(RequestHandler.class.getTypeParameters()[0]);
      return input instanceof TypeVariable ? Object.class : input;
    }
    for (Type i : raw.getGenericInterfaces()) {
      Type r = requestHandlerInput(i, bindings);
      if (r != null) return r;
    }
    Type sup = raw.getGenericSuperclass();
    return sup == null ? null : requestHandlerInput(sup, bindings);
  }

  /**
   * Runs the handler on `payload`: the response bytes. Throws InputError for a payload the input
   * type cannot take, and whatever the handler throws.
   */
  byte[] invoke(byte[] payload, Context context) throws Throwable {
    Object[] args;
    ByteArrayOutputStream output = null;
    if (stream) {
      output = new ByteArrayOutputStream();
      InputStream input = new ByteArrayInputStream(payload);
      args = withContext ? new Object[] {input, output, context} : new Object[] {input, output};
    } else {
      Object input = null;
      if (inputType != null) {
        try {
          String text = new String(payload, StandardCharsets.UTF_8);
          Object json = text.isBlank() ? null : Json.parse(text);
          input = Binder.bind(json, inputType);
        } catch (RuntimeException e) {
          throw new InputError(e);
        }
      }
      if (inputType == null) {
        args = withContext ? new Object[] {context} : new Object[0];
      } else {
        args = withContext ? new Object[] {input, context} : new Object[] {input};
      }
    }
    Object result;
    try {
      result = method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
    if (stream) return output.toByteArray();
    return Json.write(result).getBytes(StandardCharsets.UTF_8);
  }
}
