// nimbus's own declaration of the Lambda Java handler API: the mobile app of a client context.
package com.amazonaws.services.lambda.runtime;

public interface Client {
  String getInstallationId();

  String getAppTitle();

  String getAppVersionName();

  String getAppVersionCode();

  String getAppPackageName();
}
