// nimbus's own declaration of the Lambda Java handler API: a handler of typed events.
package com.amazonaws.services.lambda.runtime;

public interface RequestHandler<I, O> {
  O handleRequest(I input, Context context);
}
