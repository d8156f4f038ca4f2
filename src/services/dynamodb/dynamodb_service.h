#pragma once

#include <memory>

#include "core/router/service.h"

namespace nimbus::dynamodb {

// Amazon DynamoDB.
std::unique_ptr<Service> NewDynamoDbService();
// Amazon DynamoDB Streams ("dynamodbstreams"): reads the streams of the tables the DynamoDB
// service of the same process writes (the two share their state).
std::unique_ptr<Service> NewDynamoDbStreamsService();

}  // namespace nimbus::dynamodb
