#include "core/protocol/rest_binding.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <tuple>

#include "core/common/encoding.h"
#include "core/protocol/json_shape.h"

namespace nimbus::protocol::rest {

namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// Operations the botocore model marks deprecated (the trimmed models drop the flag) or that share
// their URI with a more common operation; they lose ties. S3: ListBuckets and ListDirectoryBuckets
// are both "GET /", and the pre-2014 lifecycle/notification operations share their subresource
// with the *Configuration ones.
bool Deprioritized(const ServiceModel& model, const Operation& op) {
  if (model.name != "s3") return false;
  static constexpr std::string_view kNames[] = {"ListDirectoryBuckets", "GetBucketLifecycle",
                                                "PutBucketLifecycle", "GetBucketNotification",
                                                "PutBucketNotification"};
  for (auto n : kNames)
    if (op.name == n) return true;
  return false;
}

// Query parameters that belong to no member: SigV4 presigning and the SDKs' x-id hint.
bool IsProtocolQueryKey(std::string_view k) {
  static constexpr std::string_view kKeys[] = {
      "x-id",          "X-Amz-Algorithm",     "X-Amz-Credential", "X-Amz-Date",
      "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",  "X-Amz-Security-Token"};
  for (auto key : kKeys)
    if (k == key) return true;
  return false;
}

const std::string* FindQuery(const QueryParams& query, std::string_view key) {
  for (const auto& [k, v] : query)
    if (k == key) return &v;
  return nullptr;
}

bool HasRequestHeader(const http::HeaderList& headers, std::string_view lower_name) {
  for (const auto& h : headers)
    if (h.first == lower_name) return true;
  return false;
}

bool SegmentEquals(std::string_view raw, std::string_view literal) {
  if (raw == literal) return true;
  if (raw.find('%') == std::string_view::npos) return false;
  auto decoded = UriDecode(raw);
  return decoded && *decoded == literal;
}

Bindings ComputeBindings(const Shape& shape) {
  Bindings b;
  if (!shape.payload.empty()) b.payload = shape.FindMember(shape.payload);
  for (const auto& m : shape.members) {
    if (!m.shape) continue;
    switch (m.location) {
      case Location::kUri:
        b.uri.push_back(&m);
        break;
      case Location::kQuery:
        if (m.shape->type == ShapeType::kMap) {
          b.query_map = &m;
        } else {
          b.query.push_back(&m);
          b.query_by_name.emplace(m.WireName(), &m);
        }
        break;
      case Location::kHeader:
        b.header.push_back(&m);
        b.header_by_name.emplace(Lower(m.WireName()), &m);
        break;
      case Location::kHeaders:
        b.header_prefix.push_back(&m);
        break;
      case Location::kStatusCode:
        b.status_code = &m;
        break;
      case Location::kBody:
        b.body.push_back(&m);
        break;
    }
  }
  return b;
}

// What a value failed to be, for error messages.
std::string_view Expected(const Shape& shape) {
  switch (shape.type) {
    case ShapeType::kInteger:
    case ShapeType::kLong:
      return "an integer";
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      return "a number";
    case ShapeType::kBoolean:
      return "true or false";
    case ShapeType::kTimestamp:
      return "a timestamp";
    case ShapeType::kBlob:
      return "base64-encoded bytes";
    default:
      return "UTF-8 text";
  }
}

// Client text quoted in an error message: only when it is short UTF-8.
std::string Shown(std::string_view text) {
  if (text.size() > 128 || !IsValidUtf8(text)) return std::string();
  return " '" + std::string(text) + "'";
}

ApiError InvalidValue(const ServiceModel& model, std::string_view where, std::string_view name,
                      std::string_view text, const Shape& shape) {
  return BadParameter(model, "Invalid value" + Shown(text) + " for " + std::string(where) + " '" +
                                 std::string(name) + "': expected " + std::string(Expected(shape)) +
                                 ".");
}

// Splits a header list the way botocore writes it: comma-separated, items holding a comma or a
// quote wrapped in double quotes with \" escapes.
std::vector<std::string> SplitHeaderList(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::string item;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        item += text[i++];
      }
      if (i < text.size()) ++i;  // closing quote
      while (i < text.size() && text[i] != ',') ++i;
    } else {
      size_t end = text.find(',', i);
      if (end == std::string_view::npos) end = text.size();
      std::string_view raw = text.substr(i, end - i);
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
      item = std::string(raw);
      i = end;
    }
    out.push_back(std::move(item));
    if (i < text.size() && text[i] == ',') ++i;
  }
  return out;
}

std::string FormatNumber(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    double d = v.get_double();
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return ec == std::errc() ? std::string(buf, p) : std::string();
  }
  return std::string();
}

// One header value in botocore's text forms (BaseRestSerializer._convert_header_value).
std::string HeaderText(const Shape& shape, std::string_view ts_format, bool json_value,
                       const json::value& v) {
  switch (shape.type) {
    case ShapeType::kString:
      if (json_value) return Base64Encode(json::serialize(v));
      return v.is_string() ? std::string(v.get_string()) : std::string();
    case ShapeType::kBoolean:
      return v.is_bool() ? (v.get_bool() ? "true" : "false") : std::string();
    case ShapeType::kTimestamp: {
      if (v.is_string()) return std::string(v.get_string());
      if (!v.is_number()) return std::string();
      std::string_view fmt = !ts_format.empty()                ? ts_format
                             : !shape.timestamp_format.empty() ? shape.timestamp_format
                                                               : std::string_view("rfc822");
      return FormatTimestamp(v.to_number<double>(), fmt);
    }
    case ShapeType::kBlob:
      return v.is_string() ? Base64Encode(v.get_string()) : std::string();
    case ShapeType::kList: {
      if (!v.is_array() || !shape.member.shape) return std::string();
      std::string out;
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (e.is_null()) continue;
        std::string item = HeaderText(*shape.member.shape, shape.member.timestamp_format, false, e);
        if (shape.member.shape->type == ShapeType::kString &&
            item.find_first_of(",\"") != std::string::npos) {
          std::string quoted = "\"";
          for (char c : item) {
            if (c == '"') quoted += '\\';
            quoted += c;
          }
          item = quoted + "\"";
        }
        if (!first) out += ',';
        out += item;
        first = false;
      }
      return out;
    }
    default:
      return FormatNumber(v);
  }
}

// Header values are client-visible text on one line: CR, LF and NUL would split or end it.
std::string HeaderSafe(std::string text) {
  for (char& c : text)
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  return text;
}

}  // namespace

struct RestIndex::Route {
  const Operation* op = nullptr;
  std::vector<std::pair<std::string, std::string>> literal_query;  // without x-id
  int literal_segments = 0;
  int greedy = 0;
  std::vector<std::string> required_query;
  std::vector<std::string> required_headers;  // lowercase
  std::vector<std::string> query_names;       // every querystring member
  bool deprioritized = false;
};

struct RestIndex::MethodRoutes {
  // Routes by their first path segment when it is literal ("2015-03-31", "restapis").
  std::unordered_map<std::string, std::vector<const Route*>, StringHash, std::equal_to<>> by_first;
  // Routes starting with a label, or "/".
  std::vector<const Route*> others;
};

RestIndex::RestIndex(const ServiceModel& model) {
  routes_.reserve(model.operations.size());
  for (const auto& [name, op] : model.operations) {
    Route r;
    r.op = &op;
    for (const auto& [k, v] : op.uri_query)
      if (k != "x-id") r.literal_query.emplace_back(k, v);
    for (const auto& s : op.path_segments) {
      if (!s.label) ++r.literal_segments;
      if (s.greedy) ++r.greedy;
    }
    if (op.input) {
      for (const auto& m : op.input->members) {
        if (m.location == Location::kQuery) r.query_names.push_back(m.WireName());
        if (!m.required || !m.shape) continue;
        if (m.location == Location::kQuery && m.shape->type != ShapeType::kMap)
          r.required_query.push_back(m.WireName());
        else if (m.location == Location::kHeader)
          r.required_headers.push_back(Lower(m.WireName()));
      }
      bindings_.try_emplace(op.input, ComputeBindings(*op.input));
    }
    if (op.output) bindings_.try_emplace(op.output, ComputeBindings(*op.output));
    r.deprioritized = Deprioritized(model, op);
    routes_.push_back(std::move(r));
  }
  for (const Route& r : routes_) {
    auto& mr = by_method_[r.op->method];
    if (!mr) mr = std::make_unique<MethodRoutes>();
    const auto& segs = r.op->path_segments;
    if (segs.empty() || segs.front().label)
      mr->others.push_back(&r);
    else
      mr->by_first[segs.front().text].push_back(&r);
  }
}

RestIndex::~RestIndex() = default;

const RestIndex& RestIndex::For(const ServiceModel& model) {
  static std::shared_mutex mu;
  static auto* cache = new std::unordered_map<const ServiceModel*, std::unique_ptr<RestIndex>>();
  {
    std::shared_lock lock(mu);
    auto it = cache->find(&model);
    if (it != cache->end()) return *it->second;
  }
  auto index = std::make_unique<RestIndex>(model);
  std::unique_lock lock(mu);
  auto [it, inserted] = cache->try_emplace(&model, std::move(index));
  return *it->second;
}

const Bindings& RestIndex::BindingsFor(const Shape* shape) const {
  static const Bindings kEmpty;
  auto it = bindings_.find(shape);
  return it == bindings_.end() ? kEmpty : it->second;
}

RestIndex::Match RestIndex::Resolve(std::string_view method, std::string_view path,
                                    const QueryParams& query,
                                    const http::HeaderList& headers) const {
  const std::string* xid = FindQuery(query, "x-id");
  using Score = std::tuple<bool, int, bool, int, int, int, int, bool>;
  const Route* best = nullptr;
  Score best_score;
  auto consider = [&](const Route* r) {
    for (const auto& [k, v] : r->literal_query) {
      const std::string* got = FindQuery(query, k);
      if (!got || (!v.empty() && *got != v)) return;
    }
    if (!MatchPath(r->op->path_segments, path, nullptr)) return;
    int present = 0;
    for (const auto& q : r->required_query) present += FindQuery(query, q) != nullptr;
    for (const auto& h : r->required_headers) present += HasRequestHeader(headers, h);
    int required = static_cast<int>(r->required_query.size() + r->required_headers.size());
    int known = 0;  // request parameters the operation declares (ListDirectoryBuckets' own)
    for (const auto& [k, v] : query)
      for (const auto& n : r->query_names) known += k == n;
    Score score{xid && *xid == r->op->name,
                static_cast<int>(r->literal_query.size()),
                present == required,
                r->literal_segments,
                present,
                -r->greedy,
                known,
                !r->deprioritized};
    if (!best || score > best_score) {
      best = r;
      best_score = score;
    }
  };
  std::string_view first = path.substr(path.empty() || path[0] != '/' ? 0 : 1);
  first = first.substr(0, first.find('/'));
  auto it = by_method_.find(std::string(method));
  if (it != by_method_.end()) {
    const MethodRoutes& mr = *it->second;
    if (auto f = mr.by_first.find(first); f != mr.by_first.end())
      for (const Route* r : f->second) consider(r);
    if (!best && first.find('%') != std::string_view::npos) {
      // A percent-encoded literal segment: compare decoded.
      for (const auto& [text, routes] : mr.by_first)
        if (SegmentEquals(first, text))
          for (const Route* r : routes) consider(r);
    }
    for (const Route* r : mr.others) consider(r);
  }
  if (best) return Match{best->op, false};
  for (const Route& r : routes_)
    if (r.op->method != method && MatchPath(r.op->path_segments, path, nullptr))
      return Match{nullptr, true};
  return Match{};
}

std::string EffectivePath(const ServiceModel& model, const http::Request& request) {
  std::string_view path = request.path.empty() ? std::string_view("/") : request.path;
  if (model.name == "s3") {
    std::string_view host = request.HostName();
    auto pos = host.find(".s3.");
    if (pos != std::string_view::npos && pos > 0)
      return "/" + std::string(host.substr(0, pos)) + std::string(path);
  }
  return std::string(path);
}

bool MatchPath(const std::vector<UriSegment>& segments, std::string_view path,
               std::vector<std::string_view>* labels) {
  if (labels) labels->clear();
  std::string_view rest = path;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  auto match_one = [&](const UriSegment& seg, std::string_view part) {
    if (part.empty()) return false;
    if (!seg.label) return SegmentEquals(part, seg.text);
    if (labels) labels->push_back(part);
    return true;
  };
  for (size_t i = 0; i < segments.size(); ++i) {
    const UriSegment& seg = segments[i];
    if (seg.greedy) {
      // The greedy label takes everything but the segments that follow it in the template.
      std::string_view value = rest;
      std::vector<std::string_view> tail(segments.size() - i - 1);
      for (size_t j = tail.size(); j-- > 0;) {
        auto slash = value.rfind('/');
        if (slash == std::string_view::npos) return false;
        tail[j] = value.substr(slash + 1);
        value = value.substr(0, slash);
      }
      if (value.empty()) return false;
      if (labels) labels->push_back(value);
      for (size_t j = 0; j < tail.size(); ++j)
        if (!match_one(segments[i + 1 + j], tail[j])) return false;
      return true;
    }
    auto slash = rest.find('/');
    if (!match_one(seg, rest.substr(0, slash))) return false;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return rest.empty();
}

ApiError BadParameter(const ServiceModel& model, std::string message) {
  std::string_view code = "SerializationException";
  if (model.name == "s3") {
    code = "InvalidArgument";
  } else {
    for (std::string_view c : {"InvalidArgument", "InvalidParameterValueException",
                               "BadRequestException", "ValidationException"}) {
      const Shape* s = model.FindShape(c);
      if (s && s->exception) {
        code = c;
        break;
      }
    }
  }
  return ApiError(std::string(code), 400, std::move(message));
}

bool TextToValue(const Shape& shape, std::string_view text, bool json_value, json::value* out) {
  switch (shape.type) {
    case ShapeType::kString: {
      if (json_value) {
        auto decoded = Base64Decode(text);
        if (!decoded) return false;
        json::error_code ec;
        json::parse_options opts;
        opts.max_depth = 64;
        json::value v = json::parse(*decoded, ec, {}, opts);
        if (ec) return false;
        *out = std::move(v);
        return true;
      }
      if (!IsValidUtf8(text)) return false;
      *out = json::string(text);
      return true;
    }
    case ShapeType::kBoolean:
      if (text.size() == 4 && StartsWithIgnoreCase(text, "true")) {
        *out = true;
        return true;
      }
      if (text.size() == 5 && StartsWithIgnoreCase(text, "false")) {
        *out = false;
        return true;
      }
      return false;
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return false;
      if (shape.type == ShapeType::kInteger &&
          (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()))
        return false;
      *out = n;
      return true;
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      if (text == "NaN")
        *out = std::nan("");
      else if (text == "Infinity")
        *out = HUGE_VAL;
      else if (text == "-Infinity")
        *out = -HUGE_VAL;
      else {
        double d = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (text.empty() || ec != std::errc() || p != text.data() + text.size()) return false;
        *out = d;
      }
      return true;
    }
    case ShapeType::kTimestamp: {
      double secs = 0;
      if (!ParseTimestamp(text, &secs)) return false;
      *out = secs;
      return true;
    }
    case ShapeType::kBlob: {
      auto bytes = Base64Decode(text);
      if (!bytes) return false;
      *out = json::string(*bytes);
      return true;
    }
    case ShapeType::kList: {
      if (!shape.member.shape) return false;
      json::array items;
      for (const auto& item : SplitHeaderList(text)) {
        json::value v;
        if (!TextToValue(*shape.member.shape, item, false, &v)) return false;
        items.push_back(std::move(v));
      }
      *out = std::move(items);
      return true;
    }
    default:
      return false;
  }
}

bool IsBlank(std::string_view body) {
  for (char c : body)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
  return true;
}

bool HasHeader(const http::Response& response, std::string_view name) {
  for (const auto& [k, v] : response.headers)
    if (k.size() == name.size() && StartsWithIgnoreCase(k, name)) return true;
  return false;
}

Status DecodeHttpBindings(const ServiceModel& model, const Operation& op, const Bindings& bindings,
                          const http::Request& request, std::string_view path,
                          const QueryParams& query, json::object* out) {
  // URI labels, percent-decoded ('+' is literal in a path; greedy labels keep their slashes).
  std::vector<std::string_view> labels;
  if (!bindings.uri.empty() && MatchPath(op.path_segments, path, &labels)) {
    size_t li = 0;
    for (const auto& seg : op.path_segments) {
      if (!seg.label) continue;
      std::string_view raw = labels[li++];
      const Member* m = nullptr;
      for (const Member* u : bindings.uri)
        if (u->WireName() == seg.text) m = u;
      if (!m) continue;
      auto decoded = UriDecode(raw);
      json::value v;
      if (!decoded || !TextToValue(*m->shape, *decoded, false, &v))
        return InvalidValue(model, "URI label", seg.text, decoded ? *decoded : raw, *m->shape);
      (*out)[m->name] = std::move(v);
    }
  }

  // Query string: scalars (first value wins), lists as repeated keys, and a querystring map
  // taking every parameter no other member (nor the operation's own URI) claims.
  for (const auto& [k, v] : query) {
    if (auto it = bindings.query_by_name.find(k); it != bindings.query_by_name.end()) {
      const Member& m = *it->second;
      const Shape& s = *m.shape;
      json::value value;
      if (s.type == ShapeType::kList) {
        if (!s.member.shape || !TextToValue(*s.member.shape, v, false, &value))
          return InvalidValue(model, "query parameter", k, v, s.member.shape ? *s.member.shape : s);
        json::value& list = (*out)[m.name];
        if (!list.is_array()) list = json::array();
        list.get_array().push_back(std::move(value));
      } else if (!out->contains(m.name)) {
        if (!TextToValue(s, v, false, &value))
          return InvalidValue(model, "query parameter", k, v, s);
        (*out)[m.name] = std::move(value);
      }
      continue;
    }
    if (!bindings.query_map || IsProtocolQueryKey(k)) continue;
    bool literal = false;
    for (const auto& q : op.uri_query) literal = literal || q.first == k;
    if (literal) continue;
    const Shape& map = *bindings.query_map->shape;
    if (!map.value.shape || !IsValidUtf8(k)) continue;
    json::value& mv = (*out)[bindings.query_map->name];
    if (!mv.is_object()) mv = json::object();
    json::object& mo = mv.get_object();
    const Shape& vs = *map.value.shape;
    json::value value;
    if (vs.type == ShapeType::kList) {
      if (!vs.member.shape || !TextToValue(*vs.member.shape, v, false, &value))
        return InvalidValue(model, "query parameter", k, v, vs);
      json::value& list = mo[k];
      if (!list.is_array()) list = json::array();
      list.get_array().push_back(std::move(value));
    } else if (!mo.contains(k)) {
      if (!TextToValue(vs, v, false, &value))
        return InvalidValue(model, "query parameter", k, v, vs);
      mo[k] = std::move(value);
    }
  }

  // Headers (names arrive lowercase), then prefixed header maps such as S3's x-amz-meta-*.
  for (const auto& [name, value] : request.headers) {
    if (auto it = bindings.header_by_name.find(name); it != bindings.header_by_name.end()) {
      const Member& m = *it->second;
      if (out->contains(m.name)) continue;  // a repeated header: the first one counts
      json::value v;
      if (!TextToValue(*m.shape, value, m.json_value, &v))
        return InvalidValue(model, "header", m.WireName(), value, *m.shape);
      (*out)[m.name] = std::move(v);
    }
    for (const Member* p : bindings.header_prefix) {
      if (!StartsWithIgnoreCase(name, p->WireName())) continue;
      std::string key = name.substr(p->WireName().size());
      if (!IsValidUtf8(value))
        return InvalidValue(model, "header", name, value, *p->shape->value.shape);
      json::value& mv = (*out)[p->name];
      if (!mv.is_object()) mv = json::object();
      if (!mv.get_object().contains(key)) mv.get_object()[key] = json::string(value);
    }
  }
  return Ok{};
}

json::object EncodeHttpBindings(const Operation& op, const Bindings& bindings, json::object& output,
                                http::Response* response) {
  int status = op.response_code;
  for (const Member* m : bindings.header) {
    auto* v = output.if_contains(m->name);
    if (!v || v->is_null()) continue;
    if (m->shape->type == ShapeType::kList && v->is_array() && v->get_array().empty()) continue;
    std::string text = HeaderText(*m->shape, m->timestamp_format, m->json_value, *v);
    if (text.empty() && !v->is_string()) continue;
    response->SetHeader(m->WireName(), HeaderSafe(std::move(text)));
  }
  for (const Member* p : bindings.header_prefix) {
    auto* v = output.if_contains(p->name);
    if (!v || !v->is_object()) continue;
    for (const auto& [k, e] : v->get_object())
      if (e.is_string())
        response->SetHeader(HeaderSafe(p->WireName() + std::string(k)),
                            HeaderSafe(std::string(e.get_string())));
  }
  if (bindings.status_code) {
    auto* v = output.if_contains(bindings.status_code->name);
    if (v && v->is_int64() && v->get_int64() >= 100 && v->get_int64() <= 599)
      status = static_cast<int>(v->get_int64());
  }
  response->status = status;
  json::object body;
  for (const Member* m : bindings.body) {
    auto* v = output.if_contains(m->name);
    if (v && !v->is_null()) body[m->name] = std::move(*v);
  }
  return body;
}

}  // namespace nimbus::protocol::rest
