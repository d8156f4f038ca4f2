#include "core/protocol/model.h"

#include <boost/json.hpp>
#include <mutex>

#include "core/common/logging.h"
#include "core/protocol/embedded_models.h"

namespace nimbus::protocol {

namespace json = boost::json;

namespace {

ShapeType ParseType(std::string_view t) {
  if (t == "structure") return ShapeType::kStructure;
  if (t == "list") return ShapeType::kList;
  if (t == "map") return ShapeType::kMap;
  if (t == "integer") return ShapeType::kInteger;
  if (t == "long") return ShapeType::kLong;
  if (t == "float") return ShapeType::kFloat;
  if (t == "double") return ShapeType::kDouble;
  if (t == "boolean") return ShapeType::kBoolean;
  if (t == "timestamp") return ShapeType::kTimestamp;
  if (t == "blob") return ShapeType::kBlob;
  return ShapeType::kString;
}

std::string Str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool Bool(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

Member ParseMember(const std::string& name, const json::object& m, ServiceModel& model) {
  Member out;
  out.name = name;
  auto target = Str(m, "shape");
  auto it = model.shapes.find(target);
  if (it != model.shapes.end()) out.shape = it->second.get();
  auto loc = Str(m, "location");
  if (loc == "header") out.location = Location::kHeader;
  else if (loc == "headers") out.location = Location::kHeaders;
  else if (loc == "querystring") out.location = Location::kQuery;
  else if (loc == "uri") out.location = Location::kUri;
  else if (loc == "statusCode") out.location = Location::kStatusCode;
  out.location_name = Str(m, "locationName");
  out.flattened = Bool(m, "flattened");
  out.xml_attribute = Bool(m, "xmlAttribute");
  if (auto* ns = m.if_contains("xmlNamespace"); ns && ns->is_object()) {
    out.xml_namespace = Str(ns->get_object(), "uri");
    out.xml_namespace_prefix = Str(ns->get_object(), "prefix");
  }
  out.idempotency_token = Bool(m, "idempotencyToken");
  out.json_value = Bool(m, "jsonvalue");
  out.host_label = Bool(m, "hostLabel");
  out.streaming = Bool(m, "streaming");
  out.timestamp_format = Str(m, "timestampFormat");
  return out;
}

void ParseUri(Operation& op) {
  std::string_view uri = op.request_uri;
  auto q = uri.find('?');
  std::string_view path = uri.substr(0, q);
  if (q != std::string_view::npos) {
    std::string_view query = uri.substr(q + 1);
    size_t pos = 0;
    while (pos < query.size()) {
      auto amp = query.find('&', pos);
      if (amp == std::string_view::npos) amp = query.size();
      auto part = query.substr(pos, amp - pos);
      auto eq = part.find('=');
      op.uri_query.emplace_back(std::string(part.substr(0, eq)),
                                eq == std::string_view::npos ? "" : std::string(part.substr(eq + 1)));
      pos = amp + 1;
    }
  }
  op.path_has_trailing_slash = path.size() > 1 && path.back() == '/';
  size_t pos = 1;
  while (pos <= path.size() && path.size() > 1) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    auto seg = path.substr(pos, slash - pos);
    if (!seg.empty()) {
      UriSegment s;
      if (seg.front() == '{' && seg.back() == '}') {
        s.label = true;
        seg = seg.substr(1, seg.size() - 2);
        if (!seg.empty() && seg.back() == '+') {
          s.greedy = true;
          seg.remove_suffix(1);
        }
      }
      s.text = std::string(seg);
      op.path_segments.push_back(std::move(s));
    }
    pos = slash + 1;
  }
}

bool ComputeSpecial(Shape* s, std::unordered_map<const Shape*, int>& state) {
  auto it = state.find(s);
  if (it != state.end()) return it->second == 2 ? s->has_special : false;
  state[s] = 1;
  bool special = s->type == ShapeType::kBlob || s->type == ShapeType::kTimestamp;
  auto visit = [&](const Member& m) {
    if (m.shape && ComputeSpecial(const_cast<Shape*>(m.shape), state)) special = true;
  };
  for (auto& m : s->members) {
    visit(m);
    if (m.location == Location::kBody && !m.location_name.empty() && m.location_name != m.name)
      special = true;
  }
  if (s->type == ShapeType::kList) visit(s->member);
  if (s->type == ShapeType::kMap) {
    visit(s->key);
    visit(s->value);
  }
  s->has_special = special;
  state[s] = 2;
  return special;
}

std::unique_ptr<ServiceModel> Parse(std::string_view name, std::string_view text) {
  json::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return nullptr;
  auto model = std::make_unique<ServiceModel>();
  model->name = std::string(name);
  const auto& obj = root.get_object();
  const auto& meta = obj.at("metadata").get_object();
  model->protocol = Str(meta, "protocol");
  model->json_version = Str(meta, "jsonVersion");
  model->target_prefix = Str(meta, "targetPrefix");
  model->signing_name = Str(meta, "signingName");
  model->endpoint_prefix = Str(meta, "endpointPrefix");
  if (model->signing_name.empty()) model->signing_name = model->endpoint_prefix;
  model->xml_namespace = Str(meta, "xmlNamespace");
  model->api_version = Str(meta, "apiVersion");
  model->service_id = Str(meta, "serviceId");
  model->aws_query_compatible = meta.contains("awsQueryCompatible");

  const auto& shapes = obj.at("shapes").get_object();
  for (const auto& [sname, _] : shapes) {
    auto s = std::make_unique<Shape>();
    s->name = std::string(sname);
    model->shapes.emplace(s->name, std::move(s));
  }
  for (const auto& [sname, sval] : shapes) {
    const auto& so = sval.get_object();
    Shape& s = *model->shapes.at(std::string(sname));
    s.type = ParseType(Str(so, "type"));
    if (auto* members = so.if_contains("members"); members && members->is_object()) {
      for (const auto& [mname, mval] : members->get_object()) {
        s.member_index[std::string(mname)] = s.members.size();
        s.members.push_back(ParseMember(std::string(mname), mval.get_object(), *model));
      }
    }
    if (auto* req = so.if_contains("required"); req && req->is_array()) {
      for (const auto& r : req->get_array()) {
        s.required.emplace_back(r.get_string());
        auto mi = s.member_index.find(std::string(r.get_string()));
        if (mi != s.member_index.end()) s.members[mi->second].required = true;
      }
    }
    if (auto* m = so.if_contains("member")) s.member = ParseMember("member", m->get_object(), *model);
    if (auto* m = so.if_contains("key")) s.key = ParseMember("key", m->get_object(), *model);
    if (auto* m = so.if_contains("value")) s.value = ParseMember("value", m->get_object(), *model);
    s.flattened = Bool(so, "flattened");
    if (auto* e = so.if_contains("enum"); e && e->is_array())
      for (const auto& v : e->get_array()) s.enum_values.emplace_back(v.get_string());
    if (auto* v = so.if_contains("min"); v && v->is_number()) s.min = v->to_number<double>();
    if (auto* v = so.if_contains("max"); v && v->is_number()) s.max = v->to_number<double>();
    s.timestamp_format = Str(so, "timestampFormat");
    s.payload = Str(so, "payload");
    s.location_name = Str(so, "locationName");
    if (auto* ns = so.if_contains("xmlNamespace"); ns && ns->is_object()) {
      s.xml_namespace = Str(ns->get_object(), "uri");
      s.xml_namespace_prefix = Str(ns->get_object(), "prefix");
    }
    s.streaming = Bool(so, "streaming");
    s.event_stream = Bool(so, "eventstream");
    s.is_union = Bool(so, "union");
    s.document = Bool(so, "document");
    s.exception = Bool(so, "exception");
    if (s.exception) {
      s.error_code = s.name;
      if (auto* err = so.if_contains("error"); err && err->is_object()) {
        const auto& eo = err->get_object();
        auto code = Str(eo, "code");
        if (!code.empty()) s.error_code = code;
        if (auto* st = eo.if_contains("httpStatusCode"); st && st->is_number())
          s.http_status = st->to_number<int>();
        s.sender_fault = Bool(eo, "senderFault");
      }
    }
  }
  std::unordered_map<const Shape*, int> state;
  for (auto& [_, s] : model->shapes) ComputeSpecial(s.get(), state);

  for (const auto& [oname, oval] : obj.at("operations").get_object()) {
    const auto& oo = oval.get_object();
    Operation op;
    op.name = std::string(oname);
    if (auto* http = oo.if_contains("http"); http && http->is_object()) {
      const auto& ho = http->get_object();
      op.method = Str(ho, "method");
      op.request_uri = Str(ho, "requestUri");
      if (auto* rc = ho.if_contains("responseCode"); rc && rc->is_number())
        op.response_code = rc->to_number<int>();
    }
    if (auto* in = oo.if_contains("input"); in && in->is_object()) {
      op.input = model->FindShape(Str(in->get_object(), "shape"));
      op.input_location_name = Str(in->get_object(), "locationName");
      if (auto* ns = in->get_object().if_contains("xmlNamespace"); ns && ns->is_object())
        op.input_xml_namespace = Str(ns->get_object(), "uri");
    }
    if (auto* out = oo.if_contains("output"); out && out->is_object()) {
      op.output = model->FindShape(Str(out->get_object(), "shape"));
      op.result_wrapper = Str(out->get_object(), "resultWrapper");
    }
    if (auto* errs = oo.if_contains("errors"); errs && errs->is_array())
      for (const auto& e : errs->get_array())
        if (auto* s = model->FindShape(Str(e.get_object(), "shape"))) op.errors.push_back(s);
    ParseUri(op);
    model->operations.emplace(op.name, std::move(op));
  }
  return model;
}

std::mutex g_mu;
std::unordered_map<std::string, std::unique_ptr<ServiceModel>>& Cache() {
  static auto* cache = new std::unordered_map<std::string, std::unique_ptr<ServiceModel>>();
  return *cache;
}

}  // namespace

const Member* Shape::FindMember(std::string_view n) const {
  auto it = member_index.find(std::string(n));
  return it == member_index.end() ? nullptr : &members[it->second];
}

const Operation* ServiceModel::FindOperation(std::string_view n) const {
  auto it = operations.find(std::string(n));
  return it == operations.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::FindShape(std::string_view n) const {
  auto it = shapes.find(std::string(n));
  return it == shapes.end() ? nullptr : it->second.get();
}

const ServiceModel* GetModel(std::string_view name) {
  std::lock_guard lock(g_mu);
  auto& cache = Cache();
  auto it = cache.find(std::string(name));
  if (it != cache.end()) return it->second.get();
  for (const EmbeddedModel* m = kEmbeddedModels; m->name; ++m) {
    if (name == m->name) {
      auto model = Parse(name, std::string_view(m->data, m->size));
      if (!model) {
        spdlog::error("embedded model {} failed to parse", name);
        return nullptr;
      }
      auto* raw = model.get();
      cache.emplace(std::string(name), std::move(model));
      return raw;
    }
  }
  return nullptr;
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> out;
  for (const EmbeddedModel* m = kEmbeddedModels; m->name; ++m)
    if (m->name[0] != '_') out.emplace_back(m->name);
  return out;
}

const ServiceMetadata* GetMetadata(std::string_view name) {
  static const auto* index = [] {
    auto* out = new std::unordered_map<std::string, ServiceMetadata>();
    for (const EmbeddedModel* m = kEmbeddedModels; m->name; ++m) {
      if (std::string_view(m->name) != "_index") continue;
      json::error_code ec;
      auto root = json::parse(std::string_view(m->data, m->size), ec);
      if (ec || !root.is_object()) break;
      for (const auto& [svc, meta] : root.get_object()) {
        const auto& o = meta.get_object();
        ServiceMetadata md;
        md.protocol = Str(o, "protocol");
        md.json_version = Str(o, "jsonVersion");
        md.target_prefix = Str(o, "targetPrefix");
        md.endpoint_prefix = Str(o, "endpointPrefix");
        md.signing_name = Str(o, "signingName");
        if (md.signing_name.empty()) md.signing_name = md.endpoint_prefix;
        md.api_version = Str(o, "apiVersion");
        md.aws_query_compatible = o.contains("awsQueryCompatible");
        if (auto* n = o.if_contains("operationCount"); n && n->is_number())
          md.operation_count = n->to_number<size_t>();
        out->emplace(std::string(svc), std::move(md));
      }
    }
    return out;
  }();
  auto it = index->find(std::string(name));
  return it == index->end() ? nullptr : &it->second;
}

}  // namespace nimbus::protocol
