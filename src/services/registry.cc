#include "services/registry.h"

#include "services/sts/sts_service.h"

namespace nimbus {

void RegisterServices(Registry& registry) {
  registry.Add(sts::NewStsService());

  // The rest of the mission: registered with their models; operations answer NotImplemented
  // until their handlers land.
  for (const char* name :
       {"iam", "dynamodb", "dynamodbstreams", "s3", "sqs", "sns", "lambda", "logs", "events",
        "apigateway", "apigatewayv2", "cognito-idp", "cognito-identity", "stepfunctions",
        "firehose", "rds-data", "ecs", "cloudfront", "kinesis", "secretsmanager", "ssm", "kms"}) {
    if (!registry.Find(name)) registry.Add(std::make_unique<Service>(name));
  }
}

}  // namespace nimbus
