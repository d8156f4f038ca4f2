#include "services/s3/post_policy.h"

#include <boost/json.hpp>
#include <cctype>

namespace nimbus::s3 {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `name` in a header value such as `form-data; name="key"`.
bool HeaderParam(std::string_view header, std::string_view name, std::string* out) {
  size_t pos = 0;
  while (pos < header.size()) {
    auto semi = header.find(';', pos);
    if (semi == std::string_view::npos) return false;
    pos = semi + 1;
    std::string_view rest = Trim(header.substr(pos));
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (Lower(Trim(rest.substr(0, eq))) != name) continue;
    std::string_view v = Trim(rest.substr(eq + 1));
    if (!v.empty() && v.front() == '"') {
      out->clear();
      for (size_t i = 1; i < v.size() && v[i] != '"'; ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        *out += v[i];
      }
    } else {
      *out = std::string(v.substr(0, v.find(';')));
    }
    return true;
  }
  return false;
}

ApiError Denied(std::string why) {
  return ApiError("AccessDenied", 403, "Invalid according to Policy: " + why);
}

ApiError InvalidPolicy(std::string why) {
  return ApiError("InvalidPolicyDocument", 400, "Invalid Policy: " + why);
}

bool IsExempt(std::string_view name) {
  return name == "file" || name == "policy" || name == "x-amz-signature" || name == "signature" ||
         name == "awsaccesskeyid" || name.substr(0, 9) == "x-ignore-";
}

bool AsInteger(const json::value& v, int64_t* out) {
  if (v.is_int64()) {
    *out = v.get_int64();
    return true;
  }
  if (v.is_uint64()) {
    *out = static_cast<int64_t>(v.get_uint64());
    return true;
  }
  if (v.is_string()) {
    try {
      size_t used = 0;
      *out = std::stoll(std::string(v.get_string()), &used);
      return used == v.get_string().size();
    } catch (...) {
      return false;
    }
  }
  return false;
}

}  // namespace

bool FormParser::Start(std::string_view content_type) {
  std::string boundary;
  if (!HeaderParam(content_type, "boundary", &boundary) || boundary.empty()) return false;
  // The body may open with the delimiter itself (no preamble): parse as if after a CRLF.
  delimiter_ = "\r\n--" + boundary;
  buf_ = "\r\n";
  state_ = State::kFields;
  place_ = Place::kPreamble;
  return true;
}

bool FormParser::ParsePartHeaders(std::string_view headers) {
  FormField f;
  bool named = false;
  while (!headers.empty()) {
    auto eol = headers.find("\r\n");
    std::string_view line = headers.substr(0, eol);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string hname = Lower(Trim(line.substr(0, colon)));
      std::string_view hvalue = Trim(line.substr(colon + 1));
      if (hname == "content-disposition") {
        std::string name;
        named = HeaderParam(hvalue, "name", &name);
        f.name = Lower(name);
        HeaderParam(hvalue, "filename", &f.filename);
      } else if (hname == "content-type") {
        f.content_type = std::string(hvalue);
      }
    }
    if (eol == std::string_view::npos) break;
    headers.remove_prefix(eol + 2);
  }
  if (!named) return false;
  f.is_file = f.name == "file";
  fields_.push_back(std::move(f));
  return true;
}

FormParser::State FormParser::Step(std::string* file_bytes) {
  auto consume = [&](size_t n) {
    if (state_ == State::kFields) pre_data_ += n;
    buf_.erase(0, n);
  };
  auto over_limit = [&](size_t pending) { return pre_data_ + pending > kMaxPostPreDataBytes; };
  for (;;) {
    if (state_ == State::kFile) {
      auto end = buf_.find(delimiter_);
      if (end == std::string::npos) {
        // Keep what could be the start of the delimiter; the rest is file content.
        size_t keep = std::min(buf_.size(), delimiter_.size() - 1);
        file_bytes->append(buf_, 0, buf_.size() - keep);
        buf_.erase(0, buf_.size() - keep);
        return state_;
      }
      file_bytes->append(buf_, 0, end);
      buf_.clear();
      return state_ = State::kAfterFile;
    }
    switch (place_) {
      case Place::kPreamble: {
        auto pos = buf_.find(delimiter_);
        if (pos == std::string::npos) {
          size_t keep = std::min(buf_.size(), delimiter_.size() - 1);
          consume(buf_.size() - keep);
          return over_limit(buf_.size()) ? state_ = State::kTooLarge : state_;
        }
        consume(pos + delimiter_.size());
        place_ = Place::kAfterDelimiter;
        break;
      }
      case Place::kAfterDelimiter:
        if (buf_.size() < 2) return state_;
        if (buf_.compare(0, 2, "--") == 0) {
          buf_.clear();
          return state_ = State::kEnded;
        }
        if (buf_.compare(0, 2, "\r\n") != 0) return state_ = State::kMalformed;
        consume(2);
        place_ = Place::kHeaders;
        break;
      case Place::kHeaders: {
        auto end = buf_.find("\r\n\r\n");
        if (end == std::string::npos)
          return over_limit(buf_.size()) ? state_ = State::kTooLarge : state_;
        if (!ParsePartHeaders(std::string_view(buf_).substr(0, end)))
          return state_ = State::kMalformed;
        consume(end + 4);
        if (over_limit(0)) return state_ = State::kTooLarge;
        if (fields_.back().is_file) {
          state_ = State::kFile;
          continue;
        }
        place_ = Place::kValue;
        break;
      }
      case Place::kValue: {
        auto end = buf_.find(delimiter_);
        if (end == std::string::npos)
          return over_limit(buf_.size()) ? state_ = State::kTooLarge : state_;
        fields_.back().value.assign(buf_, 0, end);
        consume(end + delimiter_.size());
        if (over_limit(0)) return state_ = State::kTooLarge;
        place_ = Place::kAfterDelimiter;
        break;
      }
    }
  }
}

FormParser::State FormParser::Feed(std::string_view data, std::string* file_bytes) {
  if (state_ != State::kFields && state_ != State::kFile) return state_;
  buf_.append(data);
  return Step(file_bytes);
}

FormParser::State FormParser::Finish() {
  if (state_ == State::kFields || state_ == State::kFile) state_ = State::kMalformed;
  return state_;
}

const FormField* FindField(const std::vector<FormField>& fields, std::string_view name) {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

Status CheckPostPolicy(const json::value& policy, const std::vector<FormField>& fields,
                       std::string_view bucket, std::string_view key, uint64_t size,
                       Clock::TimePoint now) {
  if (!policy.is_object()) return InvalidPolicy("Invalid JSON.");
  const json::object& p = policy.get_object();
  auto* expiration = p.if_contains("expiration");
  if (!expiration || !expiration->is_string()) return InvalidPolicy("Policy missing expiration.");
  double expires = 0;
  if (!ParseIso8601(expiration->get_string(), &expires))
    return InvalidPolicy("Invalid 'expiration' value: '" + std::string(expiration->get_string()) +
                         "'");
  double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  if (now_s > expires) return Denied("Policy expired.");
  auto* conditions = p.if_contains("conditions");
  if (!conditions || !conditions->is_array()) return InvalidPolicy("Policy missing conditions.");

  auto value_of = [&](const std::string& name) -> std::string {
    if (name == "bucket") return std::string(bucket);
    if (name == "key") return std::string(key);
    const FormField* f = FindField(fields, name);
    return f ? f->value : std::string();
  };
  std::vector<std::string> covered;
  for (const auto& c : conditions->get_array()) {
    if (c.is_object()) {
      for (const auto& [k, v] : c.get_object()) {
        if (!v.is_string())
          return InvalidPolicy("Invalid Simple-Condition: value must be a string.");
        std::string name = Lower(k);
        covered.push_back(name);
        if (value_of(name) != v.get_string())
          return Denied("Policy Condition failed: [\"eq\", \"$" + name + "\", \"" +
                        std::string(v.get_string()) + "\"]");
      }
      continue;
    }
    if (!c.is_array() || c.get_array().size() != 3 || !c.get_array()[0].is_string())
      return InvalidPolicy("Invalid Condition.");
    const json::array& a = c.get_array();
    std::string op = Lower(a[0].get_string());
    if (op == "content-length-range") {
      int64_t min = 0, max = 0;
      if (!AsInteger(a[1], &min) || !AsInteger(a[2], &max))
        return InvalidPolicy("Invalid content-length-range.");
      if (static_cast<int64_t>(size) < min) {
        ApiError e("EntityTooSmall", 400,
                   "Your proposed upload is smaller than the minimum allowed size");
        e.extra["ProposedSize"] = std::to_string(size);
        e.extra["MinSizeAllowed"] = std::to_string(min);
        return e;
      }
      if (static_cast<int64_t>(size) > max) {
        ApiError e("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size");
        e.extra["ProposedSize"] = std::to_string(size);
        e.extra["MaxSizeAllowed"] = std::to_string(max);
        return e;
      }
      continue;
    }
    if (!a[1].is_string() || !a[2].is_string() || a[1].get_string().empty() ||
        a[1].get_string()[0] != '$')
      return InvalidPolicy("Invalid Condition.");
    std::string name = Lower(std::string_view(a[1].get_string()).substr(1));
    std::string want(a[2].get_string());
    covered.push_back(name);
    std::string have = value_of(name);
    bool ok = op == "eq"            ? have == want
              : op == "starts-with" ? have.compare(0, want.size(), want) == 0
                                    : false;
    if (op != "eq" && op != "starts-with")
      return InvalidPolicy("Invalid Condition: unknown operation '" + op + "'.");
    if (!ok)
      return Denied("Policy Condition failed: [\"" + op + "\", \"$" + name + "\", \"" + want +
                    "\"]");
  }
  std::string extra;
  for (const auto& f : fields) {
    if (IsExempt(f.name) || f.is_file) continue;
    bool found = false;
    for (const auto& c : covered) found = found || c == f.name;
    if (!found) extra += (extra.empty() ? "" : ", ") + f.name;
  }
  if (!extra.empty()) return Denied("Extra input fields: " + extra);
  return Ok{};
}

}  // namespace nimbus::s3
