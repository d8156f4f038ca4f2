#pragma once

#include "core/protocol/codec.h"

namespace nimbus::sqs {

// SQS's legacy query protocol (Action=SendMessage&Version=2012-11-05, XML answers), decoded into
// and encoded from the same documents as the JSON protocol. The JSON model dropped the query
// wire names (Attribute.1.Name, SendMessageBatchRequestEntry.1.Id, MessageAttribute.1.Value.
// StringValue, <Message>, <Attribute><Name/><Value/></Attribute>), so this codec supplies them.
// A request addressed by path (POST /<account>/<name>) gets QueueUrl from the path. Errors
// answer the legacy code (errors.h). Stateless and thread-safe.
const protocol::Codec* SqsQueryCodec();

}  // namespace nimbus::sqs
