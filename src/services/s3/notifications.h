#pragma once

// S3 event notifications (S3 User Guide, "Amazon S3 Event Notifications"): the checks of a
// NotificationConfiguration, the event message S3 sends ("Event message structure", event
// version 2.1) and its delivery to SQS queues, SNS topics and Lambda functions through
// registry.Call. Delivery runs in the background after the write is committed: one lane per
// destination keeps a destination's messages in the order of the writes.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/task.h"
#include "core/router/service.h"
#include "services/s3/records.h"

namespace nimbus::s3 {

// One object-level event, as the record's "s3.object" tells it.
struct ObjectEvent {
  std::string name;              // without "s3:": "ObjectCreated:Put", "ObjectRemoved:Delete"
  std::string key;               // as stored (encoded in the message)
  std::optional<uint64_t> size;  // created events only
  std::string etag;              // unquoted; created events only
  std::string version_id;        // empty: not shown (unversioned bucket, null version)
  uint64_t seq = 0;              // the write's sequence: the record's sequencer
};

// Who caused the events and when.
struct EventOrigin {
  std::string request_id;
  std::string principal_id;  // userIdentity.principalId
  std::string source_ip;     // requestParameters.sourceIPAddress
  int64_t time_ms = 0;
};

// The origin of a client request (its caller and address) at `time_ms`.
EventOrigin OriginOf(const RequestContext& ctx, int64_t time_ms);
// The origin of S3's own actions (lifecycle expiration): principal and address "s3.amazonaws.com".
EventOrigin ServiceOrigin(int64_t time_ms);

// The id S3 shows for an account in events (ownerIdentity / userIdentity principalId of the root
// user): "A" and 13 upper-case letters and digits, stable per account.
std::string AmazonCustomerId(std::string_view account);

// Checks a NotificationConfiguration document as PutBucketNotificationConfiguration does and
// fills in the Id of configurations that have none. `known_events` are the model's event names
// (empty: only the "s3:" prefix is checked). InvalidArgument or MalformedXML on failure: events
// not supported, destination ARNs of the wrong service, filter rules other than one prefix and
// one suffix, configurations sharing an event type with overlapping prefix and suffix.
Status CheckNotificationConfiguration(json::value& config,
                                      const std::vector<std::string>& known_events);

enum class DestinationKind { kQueue, kTopic, kLambda };
struct Destination {
  DestinationKind kind;
  std::string arn;
};
// Every destination of a configuration, each once, in document order.
std::vector<Destination> DestinationsOf(const json::value& config);

// Whether a configured event type ("s3:ObjectCreated:*") covers an event ("ObjectCreated:Put").
bool EventTypeMatches(std::string_view configured, std::string_view event_name);

// The configurations (Id and destination) an event on `key` goes to.
struct MatchedConfiguration {
  std::string id;
  Destination destination;
};
std::vector<MatchedConfiguration> MatchConfigurations(const json::value& config,
                                                      std::string_view event_name,
                                                      std::string_view key);

// The object key as event messages carry it: URL-encoded with spaces as '+', '/' kept.
std::string EventKey(std::string_view key);
// The record's sequencer: upper-case hex, increasing with `seq`.
std::string Sequencer(uint64_t seq);

// The message of one event for one configuration: {"Records":[{...}]}.
std::string EventMessage(const BucketRecord& bucket, const EventOrigin& origin,
                         const ObjectEvent& event, std::string_view configuration_id);
// The s3:TestEvent S3 sends to queues and topics when a configuration is put.
std::string TestEventMessage(std::string_view bucket, const EventOrigin& origin);

// Sends event messages to destinations in the background. Thread-safe.
class Notifier {
 public:
  explicit Notifier(ServiceEnv* env) : env_(env) {}

  // Queues the messages of `events` for the destinations of the bucket's configuration whose
  // event types and key filters match; returns at once.
  void Notify(const BucketRecord& bucket, const EventOrigin& origin,
              const std::vector<ObjectEvent>& events);
  // Queues the s3:TestEvent for every queue and topic of `config`.
  void SendTestEvents(const BucketRecord& bucket, const json::value& config,
                      const EventOrigin& origin);
  // InvalidArgument "Unable to validate the following destination configurations" naming each
  // destination that does not exist (ArgumentName<n>/ArgumentValue<n>), else Ok.
  Task<Status> CheckDestinations(const RequestContext& ctx, const json::value& config);
  // Drops queued messages (after POST /_nimbus/reset).
  void Clear();

 private:
  struct Item {
    Destination destination;
    std::string message;
  };
  void Enqueue(Destination destination, std::string message);
  Task<void> Drain(std::string arn);
  Task<void> Deliver(Item item);

  ServiceEnv* env_;
  std::mutex mu_;
  std::map<std::string, std::deque<Item>> lanes_;  // by destination ARN
};

}  // namespace nimbus::s3
