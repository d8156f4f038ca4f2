// nimbus's own declaration of the Lambda Java handler API: log levels.
package com.amazonaws.services.lambda.runtime.logging;

public enum LogLevel {
  UNDEFINED,
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR,
  FATAL;

  public static LogLevel fromString(String name) {
    try {
      return LogLevel.valueOf(name.toUpperCase());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Invalid log level: '" + name + "'");
    }
  }
}
