package nimbus.lambda;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Parsed JSON (see {@link Json}) to a handler's declared input type: Object, String, numbers,
 * booleans, enums, Map/List/Set (with their type arguments), arrays, records and POJOs (a no-arg
 * constructor, then setters or public fields per member; unknown members are ignored). A value
 * that cannot take the type throws {@link IllegalArgumentException}.
 */
final class Binder {
  private Binder() {}

  static Object bind(Object json, Type type) {
    if (type instanceof WildcardType) type = ((WildcardType) type).getUpperBounds()[0];
    if (type instanceof ParameterizedType) return bindParameterized(json, (ParameterizedType) type);
    if (type instanceof GenericArrayType) {
      return bindArray(json, ((GenericArrayType) type).getGenericComponentType());
    }
    if (!(type instanceof Class)) return json;  // a type variable: whatever the JSON is
    Class<?> c = (Class<?>) type;
    if (c == Object.class) return json;
    if (json == null) {
      if (c.isPrimitive()) throw mismatch(json, c);
      return null;
    }
    if (c == String.class || c == CharSequence.class) {
      if (json instanceof Map || json instanceof List) throw mismatch(json, c);
      return json.toString();
    }
    if (c == boolean.class || c == Boolean.class) {
      if (json instanceof Boolean) return json;
      if ("true".equals(json) || "false".equals(json)) return Boolean.valueOf((String) json);
      throw mismatch(json, c);
    }
    if (c.isPrimitive() || Number.class.isAssignableFrom(c)) return bindNumber(json, c);
    if (c == char.class || c == Character.class) {
      if (json instanceof String && ((String) json).length() == 1) return ((String) json).charAt(0);
      throw mismatch(json, c);
    }
    if (c.isEnum()) {
      if (!(json instanceof String)) throw mismatch(json, c);
      for (Object constant : c.getEnumConstants()) {
        if (((Enum<?>) constant).name().equals(json)) return constant;
      }
      throw new IllegalArgumentException(
          "Cannot deserialize value of type `" + c.getName() + "` from String \"" + json
              + "\": not one of the values accepted for Enum class");
    }
    if (c == byte[].class && json instanceof String) {
      return java.util.Base64.getDecoder().decode((String) json);
    }
    if (c.isArray()) return bindArray(json, c.getComponentType());
    if (Map.class.isAssignableFrom(c)) return bindMap(json, c, Object.class);
    if (Collection.class.isAssignableFrom(c)) return bindCollection(json, c, Object.class);
    if (!(json instanceof Map)) throw mismatch(json, c);
    @SuppressWarnings("unchecked")
    Map<String, Object> members = (Map<String, Object>) json;
    return c.isRecord() ? bindRecord(members, c) : bindBean(members, c);
  }

  private static IllegalArgumentException mismatch(Object json, Class<?> c) {
    String what =
        json == null
            ? "null"
            : json instanceof Map
                ? "Object value"
                : json instanceof List ? "Array value" : json.getClass().getSimpleName();
    return new IllegalArgumentException(
        "Cannot deserialize value of type `" + c.getName() + "` from " + what);
  }

  private static Object bindParameterized(Object json, ParameterizedType p) {
    Class<?> raw = (Class<?>) p.getRawType();
    Type[] args = p.getActualTypeArguments();
    if (Map.class.isAssignableFrom(raw)) return bindMap(json, raw, args[args.length - 1]);
    if (Collection.class.isAssignableFrom(raw)) return bindCollection(json, raw, args[0]);
    return bind(json, raw);
  }

  private static Object bindNumber(Object json, Class<?> c) {
    Number n;
    if (json instanceof Number) {
      n = (Number) json;
    } else if (json instanceof String) {
      try {
        n = new BigDecimal(((String) json).trim());
      } catch (NumberFormatException e) {
        throw mismatch(json, c);
      }
    } else {
      throw mismatch(json, c);
    }
    if (c == int.class || c == Integer.class) return n.intValue();
    if (c == long.class || c == Long.class) return n.longValue();
    if (c == double.class || c == Double.class) return n.doubleValue();
    if (c == float.class || c == Float.class) return n.floatValue();
    if (c == short.class || c == Short.class) return n.shortValue();
    if (c == byte.class || c == Byte.class) return n.byteValue();
    if (c == BigDecimal.class) return new BigDecimal(n.toString());
    if (c == BigInteger.class) return new BigDecimal(n.toString()).toBigInteger();
    if (c == Number.class) return n;
    throw mismatch(json, c);
  }

  private static Object bindArray(Object json, Type component) {
    if (!(json instanceof List)) throw mismatch(json, Object[].class);
    List<?> list = (List<?>) json;
    Class<?> raw = rawClass(component);
    Object out = Array.newInstance(raw, list.size());
    for (int i = 0; i < list.size(); i++) Array.set(out, i, bind(list.get(i), component));
    return out;
  }

  private static Class<?> rawClass(Type t) {
    if (t instanceof Class) return (Class<?>) t;
    if (t instanceof ParameterizedType) return (Class<?>) ((ParameterizedType) t).getRawType();
    if (t instanceof GenericArrayType) {
      return Array.newInstance(rawClass(((GenericArrayType) t).getGenericComponentType()), 0)
          .getClass();
    }
    return Object.class;
  }

  @SuppressWarnings("unchecked")
  private static Object bindMap(Object json, Class<?> raw, Type valueType) {
    if (!(json instanceof Map)) throw mismatch(json, raw);
    Map<Object, Object> out;
    if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
      out = java.util.SortedMap.class.isAssignableFrom(raw) ? new TreeMap<>() : new LinkedHashMap<>();
    } else {
      out = (Map<Object, Object>) construct(raw);
    }
    for (Map.Entry<String, Object> e : ((Map<String, Object>) json).entrySet()) {
      out.put(e.getKey(), bind(e.getValue(), valueType));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object bindCollection(Object json, Class<?> raw, Type elementType) {
    if (!(json instanceof List)) throw mismatch(json, raw);
    Collection<Object> out;
    if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
      out = Set.class.isAssignableFrom(raw) ? new LinkedHashSet<>() : new ArrayList<>();
    } else {
      out = (Collection<Object>) construct(raw);
    }
    for (Object e : (List<?>) json) out.add(bind(e, elementType));
    return out;
  }

  private static Object construct(Class<?> c) {
    try {
      Constructor<?> k = c.getDeclaredConstructor();
      k.setAccessible(true);
      return k.newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          "Cannot construct instance of `" + c.getName() + "` (no default constructor)");
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(
          "Cannot construct instance of `" + c.getName() + "`: " + cause, cause);
    }
  }

  private static Object bindRecord(Map<String, Object> members, Class<?> c) {
    RecordComponent[] rcs = c.getRecordComponents();
    Class<?>[] types = new Class<?>[rcs.length];
    Object[] values = new Object[rcs.length];
    for (int i = 0; i < rcs.length; i++) {
      types[i] = rcs[i].getType();
      Object v = members.get(rcs[i].getName());
      values[i] =
          v == null && types[i].isPrimitive()
              ? Array.get(Array.newInstance(types[i], 1), 0)
              : bind(v, rcs[i].getGenericType());
    }
    try {
      Constructor<?> k = c.getDeclaredConstructor(types);
      k.setAccessible(true);
      return k.newInstance(values);
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(
          "Cannot construct instance of `" + c.getName() + "`: " + cause, cause);
    }
  }

  private static Object bindBean(Map<String, Object> members, Class<?> c) {
    Object bean = construct(c);
    Map<String, Method> setters = new LinkedHashMap<>();
    for (Method m : c.getMethods()) {
      if (m.getParameterCount() != 1 || Modifier.isStatic(m.getModifiers())) continue;
      if (!m.getName().startsWith("set")) continue;
      setters.putIfAbsent(Json.propertyName(m.getName(), m.getParameterTypes()[0]), m);
    }
    for (Map.Entry<String, Object> e : members.entrySet()) {
      String name = e.getKey();
      try {
        Method setter = find(setters, name);
        if (setter != null) {
          setter.setAccessible(true);
          setter.invoke(bean, bind(e.getValue(), setter.getGenericParameterTypes()[0]));
          continue;
        }
        Field f = field(c, name);
        if (f != null) f.set(bean, bind(e.getValue(), f.getGenericType()));
      } catch (ReflectiveOperationException x) {
        Throwable cause = x.getCause() != null ? x.getCause() : x;
        throw new IllegalArgumentException(
            "Cannot set property \"" + name + "\" of `" + c.getName() + "`: " + cause, cause);
      }
    }
    return bean;
  }

  private static Method find(Map<String, Method> setters, String name) {
    Method m = setters.get(name);
    if (m != null) return m;
    for (Map.Entry<String, Method> e : setters.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
    }
    return null;
  }

  private static Field field(Class<?> c, String name) {
    Field found = null;
    for (Field f : c.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) continue;
      if (f.getName().equals(name)) return f;
      if (found == null && f.getName().equalsIgnoreCase(name)) found = f;
    }
    return found;
  }
}
