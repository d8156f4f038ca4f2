// nimbus's own declaration of the Lambda Java handler API (the shape of aws-lambda-java-core,
// written from its public documentation): what a handler is given for one invocation.
package com.amazonaws.services.lambda.runtime;

public interface Context {
  String getAwsRequestId();

  String getLogGroupName();

  String getLogStreamName();

  String getFunctionName();

  String getFunctionVersion();

  String getInvokedFunctionArn();

  CognitoIdentity getIdentity();

  ClientContext getClientContext();

  int getRemainingTimeInMillis();

  int getMemoryLimitInMB();

  LambdaLogger getLogger();
}
