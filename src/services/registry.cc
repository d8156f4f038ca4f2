#include "services/registry.h"

#include "services/apigateway/apigateway_service.h"
#include "services/apigatewayv2/apigatewayv2_service.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/iam/iam_service.h"
#include "services/lambda/lambda_service.h"
#include "services/logs/logs_service.h"
#include "services/s3/s3_service.h"
#include "services/sns/sns_service.h"
#include "services/sqs/sqs_service.h"
#include "services/sts/sts_service.h"

namespace nimbus {

void RegisterServices(Registry& registry) {
  registry.Add(sts::NewStsService());
  registry.Add(iam::NewIamService());
  registry.Add(dynamodb::NewDynamoDbService());
  registry.Add(dynamodb::NewDynamoDbStreamsService());
  registry.Add(sqs::NewSqsService());
  registry.Add(sns::NewSnsService());
  registry.Add(s3::NewS3Service());
  registry.Add(lambda::NewLambdaService());
  registry.Add(logs::NewLogsService());
  registry.Add(apigatewayv2::NewApiGatewayV2Service());
  registry.Add(apigateway::NewApiGatewayService());

  // The rest of the mission: registered with their models; operations answer NotImplemented
  // until their handlers land.
  for (const char* name : {"dynamodbstreams", "events", "apigateway", "apigatewayv2", "cognito-idp",
                           "cognito-identity", "stepfunctions", "firehose", "rds-data", "ecs",
                           "cloudfront", "kinesis"}) {
    if (!registry.Find(name)) registry.Add(std::make_unique<Service>(name));
  }
}

}  // namespace nimbus
