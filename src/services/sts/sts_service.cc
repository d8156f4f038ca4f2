#include "services/sts/sts_service.h"

#include <boost/json.hpp>
#include <mutex>
#include <set>

#include "core/auth/credentials.h"
#include "core/common/encoding.h"
#include "core/common/ids.h"
#include "core/storage/json_store.h"

namespace nimbus::sts {

namespace {

constexpr std::string_view kKeyspace = "sts";
constexpr std::string_view kCredPrefix = "cred/";

ApiError InvalidParameter(std::string message) {
  return ApiError("ValidationError", 400, std::move(message));
}

// "arn:aws:iam::123456789012:role/path/Name" → account and role name (last path segment).
bool ParseRoleArn(std::string_view arn, std::string* account, std::string* role_name) {
  if (arn.substr(0, 13) != "arn:aws:iam::") return false;
  auto rest = arn.substr(13);
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) return false;
  *account = std::string(rest.substr(0, colon));
  auto resource = rest.substr(colon + 1);
  if (resource.substr(0, 5) != "role/") return false;
  auto slash = resource.rfind('/');
  *role_name = std::string(resource.substr(slash + 1));
  return !role_name->empty() && account->size() == 12;
}

// The claims of a JWT, decoded without verification (tokens are trusted locally).
json::object JwtClaims(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos) return {};
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return {};
  std::string payload(token.substr(first + 1, second - first - 1));
  for (auto& c : payload) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  auto bytes = Base64Decode(payload);
  if (!bytes) return {};
  json::error_code ec;
  auto v = json::parse(*bytes, ec);
  return !ec && v.is_object() ? v.get_object() : json::object{};
}

class StsService final : public Service {
 public:
  StsService() : Service("sts") {
    validation_.error_code = "ValidationError";
    HandleSync("GetCallerIdentity", [](RequestContext& ctx, Document&) -> Result<Document> {
      return json::value{
          {"UserId", ctx.caller_user_id}, {"Account", ctx.account_id}, {"Arn", ctx.caller_arn}};
    });
    HandleSync("AssumeRole",
               [this](RequestContext& ctx, Document& in) { return AssumeRole(ctx, in, false); });
    HandleSync("AssumeRoleWithWebIdentity",
               [this](RequestContext& ctx, Document& in) { return AssumeRole(ctx, in, true); });
    HandleSync("GetSessionToken",
               [this](RequestContext& ctx, Document& in) { return GetSessionToken(ctx, in); });
  }

  void Start(ServiceEnv& env) override {
    env_ = &env;
    LoadCredentials();
  }

  void Reset() override {
    std::lock_guard lock(mu_);
    for (const auto& key : issued_) env_->credentials->Remove(key);
    issued_.clear();
  }

  void Reload() override {
    Reset();
    LoadCredentials();
  }

 private:
  Result<Document> AssumeRole(RequestContext& ctx, const Document& in, bool web_identity) {
    const auto& o = in.get_object();
    std::string role_arn(o.at("RoleArn").get_string());
    std::string session(o.at("RoleSessionName").get_string());
    std::string account, role_name;
    if (!ParseRoleArn(role_arn, &account, &role_name))
      return InvalidParameter("1 validation error detected: Value '" + role_arn +
                              "' at 'roleArn' failed to satisfy constraint: Member must be a "
                              "valid role ARN");
    int64_t duration = 3600;
    if (auto* d = o.if_contains("DurationSeconds")) duration = d->as_int64();
    std::string role_id = "AROA" + RandomAlnum(17, true);
    std::string arn = "arn:aws:sts::" + account + ":assumed-role/" + role_name + "/" + session;
    auto creds = Issue(ctx, account, arn, role_id + ":" + session, duration);
    if (!creds) return std::move(creds).error();
    json::object out;
    out["Credentials"] = std::move(*creds);
    out["AssumedRoleUser"] = json::object{{"AssumedRoleId", role_id + ":" + session}, {"Arn", arn}};
    out["PackedPolicySize"] = 6;
    if (web_identity) {
      auto claims = JwtClaims(o.at("WebIdentityToken").get_string());
      auto str = [&](std::string_view k) -> std::string {
        auto* v = claims.if_contains(k);
        if (v && v->is_string()) return std::string(v->get_string());
        if (v && v->is_array() && !v->get_array().empty() && v->get_array()[0].is_string())
          return std::string(v->get_array()[0].get_string());
        return {};
      };
      out["SubjectFromWebIdentityToken"] = str("sub");
      out["Audience"] = str("aud");
      std::string provider = str("iss");
      if (auto* p = o.if_contains("ProviderId"); p && p->is_string())
        provider = std::string(p->get_string());
      out["Provider"] = provider;
    }
    return json::value(std::move(out));
  }

  Result<Document> GetSessionToken(RequestContext& ctx, const Document& in) {
    int64_t duration = 43200;
    if (auto* d = in.get_object().if_contains("DurationSeconds")) duration = d->as_int64();
    auto creds = Issue(ctx, ctx.account_id, ctx.caller_arn, ctx.caller_user_id, duration);
    if (!creds) return std::move(creds).error();
    return json::value{{"Credentials", std::move(*creds)}};
  }

  // Makes temporary credentials for `principal_arn`, persists them and teaches the auth layer.
  Result<json::object> Issue(RequestContext& ctx, const std::string& account,
                             const std::string& principal_arn, const std::string& user_id,
                             int64_t duration_seconds) {
    auth::Credential cred;
    cred.access_key_id = NewAccessKeyId("ASIA");
    cred.secret_access_key = NewSecretKey();
    cred.session_token = "FQoGZXIvYXdzE" + Base64Encode(RandomAlnum(120));
    cred.account_id = account;
    cred.principal_arn = principal_arn;
    cred.user_id = user_id;
    double expires = ctx.env->clock->NowSeconds() + static_cast<double>(duration_seconds);
    cred.expires_at = expires;
    json::object record{
        {"access_key_id", cred.access_key_id}, {"secret_access_key", cred.secret_access_key},
        {"session_token", cred.session_token}, {"account_id", cred.account_id},
        {"principal_arn", cred.principal_arn}, {"user_id", cred.user_id},
        {"expiration", expires}};
    auto st = storage::PutJson(*ctx.env->kv, kKeyspace,
                               std::string(kCredPrefix) + cred.access_key_id, record);
    if (!st.ok()) return storage::StorageError(st);
    {
      std::lock_guard lock(mu_);
      issued_.insert(cred.access_key_id);
    }
    ctx.env->credentials->Add(cred);
    return json::object{{"AccessKeyId", cred.access_key_id},
                        {"SecretAccessKey", cred.secret_access_key},
                        {"SessionToken", cred.session_token},
                        {"Expiration", expires}};
  }

  void LoadCredentials() {
    double now = env_->clock->NowSeconds();
    std::lock_guard lock(mu_);
    (void)storage::ScanJson(
        *env_->kv, kKeyspace, kCredPrefix, {}, [&](std::string_view, json::value& doc) {
          const auto& o = doc.get_object();
          if (o.at("expiration").to_number<double>() < now) return true;
          auth::Credential c;
          c.access_key_id = std::string(o.at("access_key_id").get_string());
          c.secret_access_key = std::string(o.at("secret_access_key").get_string());
          c.session_token = std::string(o.at("session_token").get_string());
          c.account_id = std::string(o.at("account_id").get_string());
          c.principal_arn = std::string(o.at("principal_arn").get_string());
          if (auto* u = o.if_contains("user_id"); u && u->is_string())
            c.user_id = std::string(u->get_string());
          c.expires_at = o.at("expiration").to_number<double>();
          issued_.insert(c.access_key_id);
          env_->credentials->Add(std::move(c));
          return true;
        });
  }

  ServiceEnv* env_ = nullptr;
  std::mutex mu_;
  std::set<std::string> issued_;
};

}  // namespace

std::unique_ptr<Service> NewStsService() { return std::make_unique<StsService>(); }

}  // namespace nimbus::sts
