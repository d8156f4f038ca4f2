#include "services/sns/sns_service.h"

#include <boost/json.hpp>

#include "core/storage/kv_store.h"
#include "services/sns/arn.h"
#include "services/sns/attributes.h"
#include "services/sns/errors.h"
#include "services/sns/sns_service_impl.h"

namespace nimbus::sns {

std::string StringMember(const Document& in, std::string_view key) {
  const json::value* v = in.is_object() ? in.get_object().if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::value* Member(const Document& in, std::string_view key) {
  const json::value* v = in.is_object() ? in.get_object().if_contains(key) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

std::vector<std::pair<std::string, std::string>> StringMap(const Document& in,
                                                           std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  const json::value* v = Member(in, key);
  if (!v || !v->is_object()) return out;
  for (const auto& kv : v->get_object()) {
    out.emplace_back(std::string(kv.key()),
                     kv.value().is_string() ? std::string(kv.value().get_string()) : std::string());
  }
  return out;
}

SnsService::SnsService() : Service("sns") {
  // SNS answers model violations (a missing required member...) as ValidationError.
  validation_.error_code = "ValidationError";
  auto bind = [this](Result<Document> (SnsService::*handler)(RequestContext&, const Document&)) {
    return [this, handler](RequestContext& ctx, Document& in) { return (this->*handler)(ctx, in); };
  };
  HandleSync("CreateTopic", bind(&SnsService::CreateTopic));
  HandleSync("DeleteTopic", bind(&SnsService::DeleteTopic));
  HandleSync("ListTopics", bind(&SnsService::ListTopics));
  HandleSync("GetTopicAttributes", bind(&SnsService::GetTopicAttributes));
  HandleSync("SetTopicAttributes", bind(&SnsService::SetTopicAttributes));
  HandleSync("TagResource", bind(&SnsService::TagResource));
  HandleSync("UntagResource", bind(&SnsService::UntagResource));
  HandleSync("ListTagsForResource", bind(&SnsService::ListTagsForResource));
  HandleSync("Subscribe", bind(&SnsService::Subscribe));
  HandleSync("ConfirmSubscription", bind(&SnsService::ConfirmSubscription));
  HandleSync("Unsubscribe", bind(&SnsService::Unsubscribe));
  HandleSync("ListSubscriptions", bind(&SnsService::ListSubscriptions));
  HandleSync("ListSubscriptionsByTopic", bind(&SnsService::ListSubscriptionsByTopic));
  HandleSync("GetSubscriptionAttributes", bind(&SnsService::GetSubscriptionAttributes));
  HandleSync("SetSubscriptionAttributes", bind(&SnsService::SetSubscriptionAttributes));
  Handle("Publish", [this](RequestContext& ctx, Document in) {
    return PublishWhenRoom(ctx, std::move(in), false);
  });
  Handle("PublishBatch", [this](RequestContext& ctx, Document in) {
    return PublishWhenRoom(ctx, std::move(in), true);
  });
}

void SnsService::Start(ServiceEnv& env) {
  env_ = &env;
  store_.Open(env.kv);
  deliverer_ = std::make_unique<Deliverer>(env_, &log_);
}

void SnsService::Reset() {
  store_.Clear();
  log_.Clear();
  if (deliverer_) deliverer_->Reset();
  std::lock_guard lock(fifo_mu_);
  fifo_.clear();
}

void SnsService::Reload() {
  Reset();
  store_.Open(env_->kv);
}

Task<std::optional<http::Response>> SnsService::HandleInternal(const http::Request& request) {
  if (request.path != "/_nimbus/sns/messages") co_return std::nullopt;
  http::Response response;
  response.SetHeader("content-type", "application/json");
  if (request.method == "GET") {
    std::string topic_arn, protocol, endpoint;
    for (auto& [k, v] : http::ParseQuery(request.query)) {
      if (k == "topic_arn") topic_arn = v;
      if (k == "protocol") protocol = v;
      if (k == "endpoint") endpoint = v;
    }
    response.body =
        json::serialize(json::object{{"messages", log_.List(topic_arn, protocol, endpoint)}});
  } else if (request.method == "DELETE") {
    log_.Clear();
    response.body = json::serialize(json::object{{"messages", json::array()}});
  } else {
    response.status = 405;
    response.body = json::serialize(json::object{{"message", "Method Not Allowed"}});
  }
  co_return response;
}

Result<std::shared_ptr<const Topic>> SnsService::TopicFor(const RequestContext& ctx,
                                                          std::string_view arn,
                                                          std::string_view action,
                                                          std::string_view param) {
  auto parts = ParseTopicArn(arn, ctx.region, param);
  if (!parts) return std::move(parts).error();
  auto topic = store_.FindTopic(arn);
  if (!topic) return TopicNotFound();
  if (topic->account != ctx.account_id &&
      !PolicyAllows(*topic, ctx.account_id, ctx.caller_arn, action))
    return AuthorizationError(ctx.caller_arn, action, topic->arn);
  return topic;
}

Result<std::shared_ptr<const Topic>> SnsService::TaggedTopic(const RequestContext& ctx,
                                                             std::string_view arn,
                                                             std::string_view action) {
  auto parts = ParseArn(arn, "ResourceArn");
  if (!parts) return std::move(parts).error();
  auto topic = parts->region == ctx.region ? store_.FindTopic(arn) : nullptr;
  if (!topic) return ResourceNotFound();
  if (topic->account != ctx.account_id) return AuthorizationError(ctx.caller_arn, action, arn);
  return topic;
}

std::unique_ptr<Service> NewSnsService() { return std::make_unique<SnsService>(); }

}  // namespace nimbus::sns
