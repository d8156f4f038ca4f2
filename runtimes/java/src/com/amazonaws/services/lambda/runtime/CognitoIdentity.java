// nimbus's own declaration of the Lambda Java handler API: the caller's Cognito identity.
package com.amazonaws.services.lambda.runtime;

public interface CognitoIdentity {
  String getIdentityId();

  String getIdentityPoolId();
}
