#include "core/protocol/json_shape.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "core/common/clock.h"
#include "core/common/encoding.h"

namespace nimbus::protocol {

namespace {

// Deepest shape nesting walked: DynamoDB documents nest 32 levels of L/M, two shape levels each
// (the AttributeValue and its list or map), below a few levels of request structure.
constexpr int kMaxShapeDepth = 100;

ApiError TypeError(const std::string& path, std::string_view expected) {
  return ApiError("SerializationException", 400,
                  "Unexpected value type in payload" +
                      (path.empty() ? std::string() : " at '" + path + "'") + ": expected " +
                      std::string(expected));
}

Status FromWire(const Shape& shape, json::value& v, const std::string& path, int depth) {
  if (depth > kMaxShapeDepth)
    return ApiError("SerializationException", 400, "Payload nesting too deep");
  if (shape.document) return Ok{};
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return TypeError(path, "object");
      auto& o = v.get_object();
      if (!shape.has_special) {
        // Type checks only; the shape needs no rewriting.
        for (auto it = o.begin(); it != o.end();) {
          if (it->value().is_null()) {
            it = o.erase(it);
            continue;
          }
          const Member* m = shape.FindMember(it->key());
          if (m && m->shape) {
            auto st = FromWire(*m->shape, it->value(), std::string(it->key()), depth + 1);
            if (!st) return st;
          }
          ++it;
        }
        return Ok{};
      }
      json::object out;
      for (auto& [k, mv] : o) {
        if (mv.is_null()) continue;
        const Member* found = nullptr;
        for (const auto& m : shape.members) {
          if (m.WireName() == k) {
            found = &m;
            break;
          }
        }
        if (!found) continue;  // unknown members are ignored, as AWS's JSON services do
        if (found->shape) {
          auto st = FromWire(*found->shape, mv, found->name, depth + 1);
          if (!st) return st;
        }
        out[found->name] = std::move(mv);
      }
      v = std::move(out);
      return Ok{};
    }
    case ShapeType::kList: {
      if (!v.is_array()) return TypeError(path, "list");
      if (!shape.member.shape) return Ok{};
      for (auto& e : v.get_array()) {
        if (e.is_null()) continue;
        auto st = FromWire(*shape.member.shape, e, path, depth + 1);
        if (!st) return st;
      }
      return Ok{};
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return TypeError(path, "map");
      if (!shape.value.shape) return Ok{};
      for (auto& [k, e] : v.get_object()) {
        if (e.is_null()) continue;
        auto st = FromWire(*shape.value.shape, e, path, depth + 1);
        if (!st) return st;
      }
      return Ok{};
    }
    case ShapeType::kString:
      if (!v.is_string()) return TypeError(path, "string");
      return Ok{};
    case ShapeType::kBoolean:
      if (!v.is_bool()) return TypeError(path, "boolean");
      return Ok{};
    case ShapeType::kInteger:
    case ShapeType::kLong:
      if (v.is_double()) {
        double d = v.get_double();
        if (std::floor(d) != d) return TypeError(path, "integer");
        v = static_cast<int64_t>(d);
      }
      if (!v.is_int64() && !v.is_uint64()) return TypeError(path, "integer");
      return Ok{};
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      if (v.is_string()) {
        auto s = v.get_string();
        if (s == "NaN")
          v = std::nan("");
        else if (s == "Infinity")
          v = HUGE_VAL;
        else if (s == "-Infinity")
          v = -HUGE_VAL;
        else
          return TypeError(path, "number");
        return Ok{};
      }
      if (!v.is_number()) return TypeError(path, "number");
      return Ok{};
    case ShapeType::kTimestamp: {
      if (v.is_number()) return Ok{};
      if (!v.is_string()) return TypeError(path, "timestamp");
      double secs;
      if (!ParseTimestamp(v.get_string(), &secs)) return TypeError(path, "timestamp");
      v = secs;
      return Ok{};
    }
    case ShapeType::kBlob: {
      if (!v.is_string()) return TypeError(path, "base64-encoded blob");
      auto bytes = Base64Decode(v.get_string());
      if (!bytes)
        return ApiError("SerializationException", 400,
                        "Base64 encoded value" +
                            (path.empty() ? std::string() : " at '" + path + "'") + " is invalid");
      v = json::string(*bytes);
      return Ok{};
    }
  }
  return Ok{};
}

void ToWire(const Shape& shape, json::value& v, int depth) {
  if (!shape.has_special || shape.document || depth > kMaxShapeDepth) return;
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return;
      auto& o = v.get_object();
      bool renames = false;
      for (const auto& m : shape.members)
        if (!m.location_name.empty() && m.location_name != m.name && o.contains(m.name))
          renames = true;
      for (auto& [k, mv] : o) {
        const Member* m = shape.FindMember(k);
        if (m && m->shape) ToWire(*m->shape, mv, depth + 1);
      }
      if (renames) {
        json::object out;
        for (auto& [k, mv] : o) {
          const Member* m = shape.FindMember(k);
          out[m ? m->WireName() : std::string(k)] = std::move(mv);
        }
        v = std::move(out);
      }
      return;
    }
    case ShapeType::kList:
      if (v.is_array() && shape.member.shape)
        for (auto& e : v.get_array()) ToWire(*shape.member.shape, e, depth + 1);
      return;
    case ShapeType::kMap:
      if (v.is_object() && shape.value.shape)
        for (auto& [k, e] : v.get_object()) ToWire(*shape.value.shape, e, depth + 1);
      return;
    case ShapeType::kBlob:
      if (v.is_string()) v = json::string(Base64Encode(v.get_string()));
      return;
    case ShapeType::kTimestamp:
      if (v.is_number() && !shape.timestamp_format.empty() &&
          shape.timestamp_format != "unixTimestamp")
        v = json::string(FormatTimestamp(v.to_number<double>(), shape.timestamp_format));
      return;
    default:
      return;
  }
}

}  // namespace

Status JsonFromWire(const Shape& shape, json::value& value) {
  return FromWire(shape, value, "", 0);
}

void JsonToWire(const Shape& shape, json::value& value) { ToWire(shape, value, 0); }

std::string FormatTimestamp(double epoch_seconds, std::string_view format) {
  auto ms = static_cast<int64_t>(std::llround(epoch_seconds * 1000.0));
  Clock::TimePoint tp{std::chrono::milliseconds(ms)};
  if (format == "rfc822") return FormatHttpDate(tp);
  if (format == "unixTimestamp") {
    if (ms % 1000 == 0) return std::to_string(ms / 1000);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", epoch_seconds);
    return buf;
  }
  return FormatIso8601(tp, ms % 1000 != 0);
}

bool ParseTimestamp(std::string_view text, double* epoch_seconds) {
  if (ParseIso8601(text, epoch_seconds)) return true;
  if (ParseHttpDate(text, epoch_seconds)) return true;
  double d = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec == std::errc() && p == text.data() + text.size() && !text.empty()) {
    *epoch_seconds = d;
    return true;
  }
  return false;
}

}  // namespace nimbus::protocol
