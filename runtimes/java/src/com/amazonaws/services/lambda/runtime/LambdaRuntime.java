// nimbus's own declaration of the Lambda Java handler API: the logger outside a handler.
package com.amazonaws.services.lambda.runtime;

import java.nio.charset.StandardCharsets;

public final class LambdaRuntime {
  private LambdaRuntime() {}

  private static volatile LambdaLogger logger =
      new LambdaLogger() {
        @Override
        public void log(String message) {
          log(message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void log(byte[] message) {
          synchronized (System.out) {
            System.out.write(message, 0, message.length);
            if (message.length == 0 || message[message.length - 1] != '\n') System.out.write('\n');
            System.out.flush();
          }
        }
      };

  public static LambdaLogger getLogger() {
    return logger;
  }
}
