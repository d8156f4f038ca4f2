// Reserved concurrency, resource policies (AddPermission/RemovePermission/GetPolicy), tags and
// GetAccountSettings.
#include <boost/json.hpp>
#include <cctype>

#include "core/common/ids.h"
#include "core/storage/json_store.h"
#include "core/storage/key_encoding.h"
#include "services/lambda/lambda.h"

namespace nimbus::lambda {

namespace {

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<FunctionRef> NameOnly(RequestContext& ctx, const Document& in) {
  auto ref = ParseFunctionName(in.get_object().at("FunctionName").get_string(), ctx.account_id,
                               ctx.region);
  if (ref && !ref->qualifier.empty())
    return InvalidParameter(
        "The derived qualifier from the function name does not match the "
        "specified qualifier.");
  return ref;
}

// Applies `change` to the function record under the service lock and stores it.
Result<json::object> Modify(LambdaState& s, RequestContext& ctx, const std::string& name,
                            const std::function<Status(json::object&)>& change) {
  std::lock_guard lock(s.mu);
  auto fn = LoadFunction(ctx, name);
  if (!fn) return std::move(fn).error();
  if (auto st = change(*fn); !st) return std::move(st).error();
  auto st = storage::PutJson(*ctx.env->kv, kKeyspace, FunctionKey(ctx, name), *fn);
  if (!st.ok()) return storage::StorageError(st);
  return std::move(*fn);
}

// Sum of the reserved concurrency of the account's functions in the region, except `except`.
Result<int64_t> ReservedTotal(RequestContext& ctx, std::string_view except) {
  int64_t total = 0;
  std::string prefix = storage::ScopePrefix(ctx.account_id, ctx.region) + "f/";
  auto st = storage::ScanJson(
      *ctx.env->kv, kKeyspace, prefix, "", [&](std::string_view, json::value& doc) {
        const auto& o = doc.get_object();
        const json::value* c = o.if_contains("concurrency");
        if (c && c->is_number() && Str(o.at("config").get_object(), "FunctionName") != except)
          total += c->to_number<int64_t>();
        return true;
      });
  if (!st.ok()) return storage::StorageError(st);
  return total;
}

json::value PrincipalOf(const std::string& p) {
  if (p == "*") return "*";
  bool digits = p.size() == 12;
  for (char c : p) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) return json::object{{"AWS", "arn:aws:iam::" + p + ":root"}};
  if (p.rfind("arn:", 0) == 0) return json::object{{"AWS", p}};
  return json::object{{"Service", p}};
}

// A TaggableResource ARN → the function name (functions only are taggable here).
Result<std::string> TaggedFunction(RequestContext& ctx, const Document& in) {
  std::string arn(in.get_object().at("Resource").get_string());
  auto ref = ParseFunctionName(arn, ctx.account_id, ctx.region);
  if (!ref) return std::move(ref).error();
  return ref->name;
}

}  // namespace

Result<Document> PutFunctionConcurrency(LambdaState& s, RequestContext& ctx, Document& in) {
  auto ref = NameOnly(ctx, in);
  if (!ref) return std::move(ref).error();
  int64_t n = in.get_object().at("ReservedConcurrentExecutions").to_number<int64_t>();
  auto others = ReservedTotal(ctx, ref->name);
  if (!others) return std::move(others).error();
  // AWS keeps at least 100 concurrent executions unreserved.
  if (*others + n > kAccountConcurrency - 100)
    return InvalidParameter(
        "Specified ReservedConcurrentExecutions for function decreases "
        "account's UnreservedConcurrentExecution below its minimum value "
        "of [100].");
  auto fn = Modify(s, ctx, ref->name, [&](json::object& f) -> Status {
    f["concurrency"] = n;
    return Ok{};
  });
  if (!fn) return std::move(fn).error();
  return json::value(json::object{{"ReservedConcurrentExecutions", n}});
}

Result<Document> GetFunctionConcurrency(LambdaState&, RequestContext& ctx, Document& in) {
  auto ref = NameOnly(ctx, in);
  if (!ref) return std::move(ref).error();
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  json::object out;
  if (const json::value* c = fn->if_contains("concurrency"))
    out["ReservedConcurrentExecutions"] = *c;
  return json::value(std::move(out));
}

Result<Document> DeleteFunctionConcurrency(LambdaState& s, RequestContext& ctx, Document& in) {
  auto ref = NameOnly(ctx, in);
  if (!ref) return std::move(ref).error();
  auto fn = Modify(s, ctx, ref->name, [](json::object& f) -> Status {
    f.erase("concurrency");
    return Ok{};
  });
  if (!fn) return std::move(fn).error();
  return json::value(json::object{});
}

Result<Document> AddPermission(LambdaState& s, RequestContext& ctx, Document& input) {
  auto ref = ParseFunctionName(input.get_object().at("FunctionName").get_string(), ctx.account_id,
                               ctx.region);
  if (!ref) return std::move(ref).error();
  const auto& in = input.get_object();
  std::string qualifier = Str(in, "Qualifier");
  if (qualifier.empty()) qualifier = ref->qualifier;
  if (!qualifier.empty()) {
    auto resolved = Resolve(ctx, FunctionRef{ref->name, qualifier});
    if (!resolved) return std::move(resolved).error();
  }
  std::string sid = Str(in, "StatementId");
  std::string resource = FunctionArn(ctx.region, ctx.account_id, ref->name);
  if (!qualifier.empty()) resource += ":" + qualifier;
  json::object statement{{"Sid", sid},
                         {"Effect", "Allow"},
                         {"Principal", PrincipalOf(Str(in, "Principal"))},
                         {"Action", Str(in, "Action")},
                         {"Resource", resource}};
  json::object condition;
  if (auto src = Str(in, "SourceArn"); !src.empty())
    condition["ArnLike"] = json::object{{"AWS:SourceArn", src}};
  if (auto acct = Str(in, "SourceAccount"); !acct.empty())
    condition["StringEquals"] = json::object{{"AWS:SourceAccount", acct}};
  if (auto org = Str(in, "PrincipalOrgID"); !org.empty())
    condition["StringEquals"] = json::object{{"aws:PrincipalOrgID", org}};
  if (auto auth = Str(in, "FunctionUrlAuthType"); !auth.empty())
    condition["StringEquals"] = json::object{{"lambda:FunctionUrlAuthType", auth}};
  if (!condition.empty()) statement["Condition"] = std::move(condition);
  auto fn = Modify(s, ctx, ref->name, [&](json::object& f) -> Status {
    if (auto rev = Str(in, "RevisionId");
        !rev.empty() && rev != Str(f.at("config").get_object(), "RevisionId"))
      return PreconditionFailed();
    json::array& policy =
        f["policy"].is_array() ? f["policy"].get_array() : f["policy"].emplace_array();
    for (const auto& st : policy)
      if (Str(st.get_object(), "Sid") == sid)
        return ResourceConflict("The statement id (" + sid +
                                ") provided already exists. Please provide a new statement id, "
                                "or remove the existing statement.");
    policy.push_back(statement);
    f["policy_revision"] = NewUuid();
    return Ok{};
  });
  if (!fn) return std::move(fn).error();
  return json::value(json::object{{"Statement", json::serialize(statement)}});
}

Result<Document> RemovePermission(LambdaState& s, RequestContext& ctx, Document& input) {
  auto ref = ParseFunctionName(input.get_object().at("FunctionName").get_string(), ctx.account_id,
                               ctx.region);
  if (!ref) return std::move(ref).error();
  std::string sid = Str(input.get_object(), "StatementId");
  auto fn = Modify(s, ctx, ref->name, [&](json::object& f) -> Status {
    json::array& policy =
        f["policy"].is_array() ? f["policy"].get_array() : f["policy"].emplace_array();
    for (auto it = policy.begin(); it != policy.end(); ++it) {
      if (Str(it->get_object(), "Sid") == sid) {
        policy.erase(it);
        f["policy_revision"] = NewUuid();
        return Ok{};
      }
    }
    return ResourceNotFound("Statement " + sid + " is not found in resource policy.");
  });
  if (!fn) return std::move(fn).error();
  return json::value(json::object{});
}

Result<Document> GetPolicy(LambdaState&, RequestContext& ctx, Document& input) {
  auto ref = ParseFunctionName(input.get_object().at("FunctionName").get_string(), ctx.account_id,
                               ctx.region);
  if (!ref) return std::move(ref).error();
  auto fn = LoadFunction(ctx, ref->name);
  if (!fn) return std::move(fn).error();
  const json::value* policy = fn->if_contains("policy");
  if (!policy || !policy->is_array() || policy->get_array().empty())
    return ResourceNotFound("The resource you requested does not exist.");
  json::object doc{{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", *policy}};
  return json::value(
      json::object{{"Policy", json::serialize(doc)}, {"RevisionId", Str(*fn, "policy_revision")}});
}

Result<Document> TagResource(LambdaState& s, RequestContext& ctx, Document& in) {
  auto name = TaggedFunction(ctx, in);
  if (!name) return std::move(name).error();
  const auto& tags = in.get_object().at("Tags").get_object();
  auto fn = Modify(s, ctx, *name, [&](json::object& f) -> Status {
    json::object& t = f["tags"].is_object() ? f["tags"].get_object() : f["tags"].emplace_object();
    for (const auto& [k, v] : tags) t[k] = v;
    return Ok{};
  });
  if (!fn) return std::move(fn).error();
  return json::value(json::object{});
}

Result<Document> UntagResource(LambdaState& s, RequestContext& ctx, Document& in) {
  auto name = TaggedFunction(ctx, in);
  if (!name) return std::move(name).error();
  const auto& keys = in.get_object().at("TagKeys").get_array();
  auto fn = Modify(s, ctx, *name, [&](json::object& f) -> Status {
    json::object& t = f["tags"].is_object() ? f["tags"].get_object() : f["tags"].emplace_object();
    for (const auto& k : keys)
      if (k.is_string()) t.erase(k.get_string());
    return Ok{};
  });
  if (!fn) return std::move(fn).error();
  return json::value(json::object{});
}

Result<Document> ListTags(LambdaState&, RequestContext& ctx, Document& in) {
  auto name = TaggedFunction(ctx, in);
  if (!name) return std::move(name).error();
  auto fn = LoadFunction(ctx, *name);
  if (!fn) return std::move(fn).error();
  const json::value* tags = fn->if_contains("tags");
  return json::value(
      json::object{{"Tags", tags && tags->is_object() ? *tags : json::value(json::object{})}});
}

Result<Document> GetAccountSettings(LambdaState&, RequestContext& ctx, Document&) {
  int64_t count = 0, total_code = 0, reserved = 0;
  std::string prefix = storage::ScopePrefix(ctx.account_id, ctx.region) + "f/";
  auto st = storage::ScanJson(
      *ctx.env->kv, kKeyspace, prefix, "", [&](std::string_view, json::value& doc) {
        const auto& o = doc.get_object();
        ++count;
        total_code += o.at("config").get_object().at("CodeSize").to_number<int64_t>();
        if (const json::value* c = o.if_contains("concurrency"))
          reserved += c->to_number<int64_t>();
        return true;
      });
  if (!st.ok()) return storage::StorageError(st);
  return json::value(json::object{
      {"AccountLimit",
       json::object{{"TotalCodeSize", 80530636800LL},
                    {"CodeSizeUnzipped", static_cast<int64_t>(kMaxUnzippedBytes)},
                    {"CodeSizeZipped", static_cast<int64_t>(kMaxZippedBytes)},
                    {"ConcurrentExecutions", kAccountConcurrency},
                    {"UnreservedConcurrentExecutions", kAccountConcurrency - reserved}}},
      {"AccountUsage", json::object{{"TotalCodeSize", total_code}, {"FunctionCount", count}}}});
}

}  // namespace nimbus::lambda
