package nimbus.lambda;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Context of one invocation, from the Runtime API's headers and the environment. */
final class InvocationContext implements Context {
  private final String requestId;
  private final long deadlineMs;
  private final String invokedArn;
  private final ClientContext clientContext;
  private final CognitoIdentity identity;

  InvocationContext(
      String requestId, long deadlineMs, String invokedArn, String clientContext, String identity) {
    this.requestId = requestId;
    this.deadlineMs = deadlineMs;
    this.invokedArn = invokedArn;
    this.clientContext = clientContext == null ? null : parseClientContext(clientContext);
    this.identity = identity == null ? null : parseIdentity(identity);
  }

  private static String env(String name) {
    return System.getenv(name);
  }

  @Override
  public String getAwsRequestId() {
    return requestId;
  }

  @Override
  public String getLogGroupName() {
    return env("AWS_LAMBDA_LOG_GROUP_NAME");
  }

  @Override
  public String getLogStreamName() {
    return env("AWS_LAMBDA_LOG_STREAM_NAME");
  }

  @Override
  public String getFunctionName() {
    return env("AWS_LAMBDA_FUNCTION_NAME");
  }

  @Override
  public String getFunctionVersion() {
    return env("AWS_LAMBDA_FUNCTION_VERSION");
  }

  @Override
  public String getInvokedFunctionArn() {
    return invokedArn;
  }

  @Override
  public CognitoIdentity getIdentity() {
    return identity;
  }

  @Override
  public ClientContext getClientContext() {
    return clientContext;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return (int) Math.max(0, deadlineMs - System.currentTimeMillis());
  }

  @Override
  public int getMemoryLimitInMB() {
    try {
      return Integer.parseInt(env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
    } catch (RuntimeException e) {
      return 128;
    }
  }

  @Override
  public LambdaLogger getLogger() {
    return LambdaRuntime.getLogger();
  }

  private static Map<?, ?> object(Object v) {
    return v instanceof Map ? (Map<?, ?>) v : Map.of();
  }

  private static String str(Map<?, ?> m, String key) {
    Object v = m.get(key);
    return v == null ? null : v.toString();
  }

  private static Map<String, String> strings(Object v) {
    if (!(v instanceof Map)) return null;
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
      out.put(String.valueOf(e.getKey()), e.getValue() == null ? null : e.getValue().toString());
    }
    return out;
  }

  private static CognitoIdentity parseIdentity(String text) {
    Map<?, ?> m;
    try {
      m = object(Json.parse(text));
    } catch (Json.ParseException e) {
      return null;
    }
    String id = str(m, "cognitoIdentityId");
    String pool = str(m, "cognitoIdentityPoolId");
    return new CognitoIdentity() {
      @Override
      public String getIdentityId() {
        return id;
      }

      @Override
      public String getIdentityPoolId() {
        return pool;
      }
    };
  }

  private static ClientContext parseClientContext(String text) {
    Map<?, ?> m;
    try {
      m = object(Json.parse(text));
    } catch (Json.ParseException e) {
      return null;
    }
    Map<?, ?> c = m.get("client") instanceof Map ? (Map<?, ?>) m.get("client") : null;
    Client client =
        c == null
            ? null
            : new Client() {
              @Override
              public String getInstallationId() {
                return str(c, "installation_id");
              }

              @Override
              public String getAppTitle() {
                return str(c, "app_title");
              }

              @Override
              public String getAppVersionName() {
                return str(c, "app_version_name");
              }

              @Override
              public String getAppVersionCode() {
                return str(c, "app_version_code");
              }

              @Override
              public String getAppPackageName() {
                return str(c, "app_package_name");
              }
            };
    Map<String, String> custom = strings(m.get("custom"));
    Map<String, String> environment = strings(m.get("env"));
    return new ClientContext() {
      @Override
      public Client getClient() {
        return client;
      }

      @Override
      public Map<String, String> getCustom() {
        return custom;
      }

      @Override
      public Map<String, String> getEnvironment() {
        return environment;
      }
    };
  }
}
