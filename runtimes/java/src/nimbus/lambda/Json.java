package nimbus.lambda;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * JSON text to and from Java values. Parsed values are LinkedHashMap, ArrayList, String, Boolean,
 * null, Integer/Long/BigInteger for integers and Double (BigDecimal past its precision) for the
 * rest. Written values: those, any Map, Collection, array, Number, CharSequence, enum, byte[]
 * (base64), Optional, records, and other objects as their public getters and public fields.
 */
final class Json {
  private Json() {}

  /** Thrown for text that is not JSON. */
  static final class ParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ParseException(String message) {
      super(message);
    }
  }

  static Object parse(String text) {
    Parser p = new Parser(text);
    p.skipSpace();
    Object v = p.value(0);
    p.skipSpace();
    if (p.pos != text.length()) throw p.error("trailing characters");
    return v;
  }

  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    ParseException error(String what) {
      return new ParseException(what + " at character " + pos);
    }

    void skipSpace() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        pos++;
      }
    }

    Object value(int depth) {
      if (depth > 512) throw error("nesting too deep");
      if (pos >= s.length()) throw error("unexpected end of input");
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object(depth);
        case '[':
          return array(depth);
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) return number();
          throw error("unexpected character '" + c + "'");
      }
    }

    Object literal(String word, Object v) {
      if (!s.startsWith(word, pos)) throw error("unexpected token");
      pos += word.length();
      return v;
    }

    Map<String, Object> object(int depth) {
      Map<String, Object> m = new LinkedHashMap<>();
      pos++;
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return m;
      }
      while (true) {
        skipSpace();
        if (pos >= s.length() || s.charAt(pos) != '"') throw error("expected a member name");
        String key = string();
        skipSpace();
        if (pos >= s.length() || s.charAt(pos) != ':') throw error("expected ':'");
        pos++;
        skipSpace();
        m.put(key, value(depth + 1));
        skipSpace();
        if (pos >= s.length()) throw error("unexpected end of input");
        char c = s.charAt(pos++);
        if (c == '}') return m;
        if (c != ',') throw error("expected ',' or '}'");
      }
    }

    List<Object> array(int depth) {
      List<Object> a = new ArrayList<>();
      pos++;
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return a;
      }
      while (true) {
        skipSpace();
        a.add(value(depth + 1));
        skipSpace();
        if (pos >= s.length()) throw error("unexpected end of input");
        char c = s.charAt(pos++);
        if (c == ']') return a;
        if (c != ',') throw error("expected ',' or ']'");
      }
    }

    String string() {
      pos++;
      StringBuilder b = new StringBuilder();
      while (true) {
        if (pos >= s.length()) throw error("unterminated string");
        char c = s.charAt(pos++);
        if (c == '"') return b.toString();
        if (c != '\\') {
          if (c < 0x20) throw error("control character in string");
          b.append(c);
          continue;
        }
        if (pos >= s.length()) throw error("unterminated string");
        char e = s.charAt(pos++);
        switch (e) {
          case '"':
          case '\\':
          case '/':
            b.append(e);
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'n':
            b.append('\n');
            break;
          case 'r':
            b.append('\r');
            break;
          case 't':
            b.append('\t');
            break;
          case 'u':
            if (pos + 4 > s.length()) throw error("bad \\u escape");
            try {
              b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException x) {
              throw error("bad \\u escape");
            }
            pos += 4;
            break;
          default:
            throw error("bad escape");
        }
      }
    }

    Object number() {
      int start = pos;
      boolean fraction = false;
      if (s.charAt(pos) == '-') pos++;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c >= '0' && c <= '9') {
          pos++;
        } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
          fraction = true;
          pos++;
        } else {
          break;
        }
      }
      String t = s.substring(start, pos);
      try {
        if (!fraction) {
          BigInteger big = new BigInteger(t);
          if (big.bitLength() < 32) return big.intValue();
          if (big.bitLength() < 64) return big.longValue();
          return big;
        }
        BigDecimal d = new BigDecimal(t);
        double v = d.doubleValue();
        return Double.isInfinite(v) ? d : (Object) v;
      } catch (NumberFormatException x) {
        throw error("bad number '" + t + "'");
      }
    }
  }

  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v, new IdentityHashMap<>());
    return b.toString();
  }

  private static void write(StringBuilder b, Object v, IdentityHashMap<Object, Boolean> seen) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof CharSequence || v instanceof Character) {
      quote(b, v.toString());
    } else if (v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        quote(b, v.toString());
      } else {
        b.append(v);
      }
    } else if (v instanceof BigDecimal) {
      b.append(((BigDecimal) v).toString());
    } else if (v instanceof Number) {
      b.append(v);
    } else if (v instanceof Enum) {
      quote(b, ((Enum<?>) v).name());
    } else if (v instanceof byte[]) {
      quote(b, Base64.getEncoder().encodeToString((byte[]) v));
    } else if (v instanceof Optional) {
      write(b, ((Optional<?>) v).orElse(null), seen);
    } else {
      if (seen.put(v, Boolean.TRUE) != null) {
        throw new IllegalArgumentException(
            "Direct self-reference leading to cycle (through " + v.getClass().getName() + ")");
      }
      if (v instanceof Map) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          if (!first) b.append(',');
          first = false;
          quote(b, String.valueOf(e.getKey()));
          b.append(':');
          write(b, e.getValue(), seen);
        }
        b.append('}');
      } else if (v instanceof Collection || v instanceof Iterable) {
        b.append('[');
        boolean first = true;
        for (Object e : (Iterable<?>) v) {
          if (!first) b.append(',');
          first = false;
          write(b, e, seen);
        }
        b.append(']');
      } else if (v.getClass().isArray()) {
        b.append('[');
        for (int i = 0, n = Array.getLength(v); i < n; i++) {
          if (i > 0) b.append(',');
          write(b, Array.get(v, i), seen);
        }
        b.append(']');
      } else {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : properties(v).entrySet()) {
          if (!first) b.append(',');
          first = false;
          quote(b, e.getKey());
          b.append(':');
          write(b, e.getValue(), seen);
        }
        b.append('}');
      }
      seen.remove(v);
    }
  }

  /** A bean's JSON members: record components, else public getters, then public fields. */
  private static Map<String, Object> properties(Object v) {
    Map<String, Object> out = new LinkedHashMap<>();
    Class<?> c = v.getClass();
    try {
      if (c.isRecord()) {
        for (RecordComponent rc : c.getRecordComponents()) {
          Method m = rc.getAccessor();
          m.setAccessible(true);
          out.put(rc.getName(), m.invoke(v));
        }
        return out;
      }
      for (Method m : c.getMethods()) {
        if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0) continue;
        if (m.getDeclaringClass() == Object.class || m.getReturnType() == void.class) continue;
        String name = propertyName(m.getName(), m.getReturnType());
        if (name == null || out.containsKey(name)) continue;
        m.setAccessible(true);
        out.put(name, m.invoke(v));
      }
      for (Field f : c.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) || out.containsKey(f.getName())) continue;
        out.put(f.getName(), f.get(v));
      }
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(
          "cannot serialize " + c.getName() + ": " + cause, cause);
    }
    return out;
  }

  /**
   * "getFirstName" → "firstName", "isActive" (boolean) → "active", "getURL" → "url" (leading
   * capitals lowered, as Jackson names bean properties); null for a method that is no accessor.
   */
  static String propertyName(String method, Class<?> type) {
    String rest;
    if (method.startsWith("get") && method.length() > 3) {
      rest = method.substring(3);
    } else if (method.startsWith("is") && method.length() > 2
        && (type == boolean.class || type == Boolean.class)) {
      rest = method.substring(2);
    } else if (method.startsWith("set") && method.length() > 3) {
      rest = method.substring(3);
    } else {
      return null;
    }
    StringBuilder b = new StringBuilder(rest);
    for (int i = 0; i < b.length() && Character.isUpperCase(b.charAt(i)); i++) {
      b.setCharAt(i, Character.toLowerCase(b.charAt(i)));
    }
    return b.toString();
  }

  static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        case '\b':
          b.append("\\b");
          break;
        case '\f':
          b.append("\\f");
          break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }
}
