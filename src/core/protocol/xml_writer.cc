#include "core/protocol/xml_writer.h"

#include <boost/json.hpp>

#include "core/common/encoding.h"
#include "core/protocol/json_shape.h"

namespace nimbus::protocol {

namespace {

void AppendScalar(std::string* out, const Shape& shape, const json::value& v,
                  std::string_view ts_format) {
  switch (shape.type) {
    case ShapeType::kBoolean:
      *out += v.is_bool() && v.get_bool() ? "true" : "false";
      return;
    case ShapeType::kBlob:
      if (v.is_string()) *out += Base64Encode(v.get_string());
      return;
    case ShapeType::kTimestamp: {
      if (!v.is_number()) {
        if (v.is_string()) *out += XmlEscape(v.get_string());
        return;
      }
      std::string_view fmt = !ts_format.empty() ? ts_format
                             : !shape.timestamp_format.empty() ? std::string_view(shape.timestamp_format)
                                                               : std::string_view("iso8601");
      *out += FormatTimestamp(v.to_number<double>(), fmt);
      return;
    }
    default:
      if (v.is_string()) *out += XmlEscape(v.get_string());
      else if (v.is_int64()) *out += std::to_string(v.get_int64());
      else if (v.is_uint64()) *out += std::to_string(v.get_uint64());
      else if (v.is_double()) *out += json::serialize(v);
      else if (v.is_bool()) *out += v.get_bool() ? "true" : "false";
  }
}

void AppendMember(std::string* out, const Member& m, const json::value& v);

void AppendBody(std::string* out, const Shape& shape, const json::value& v,
                std::string_view ts_format) {
  switch (shape.type) {
    case ShapeType::kStructure:
      AppendXmlMembers(out, shape, v);
      return;
    case ShapeType::kList: {
      if (!v.is_array() || !shape.member.shape) return;
      std::string_view item = shape.member.location_name.empty()
                                  ? std::string_view("member")
                                  : std::string_view(shape.member.location_name);
      for (const auto& e : v.get_array()) AppendXmlElement(out, item, *shape.member.shape, e);
      return;
    }
    case ShapeType::kMap: {
      if (!v.is_object() || !shape.value.shape) return;
      std::string_view kn =
          shape.key.location_name.empty() ? std::string_view("key") : shape.key.location_name;
      std::string_view vn =
          shape.value.location_name.empty() ? std::string_view("value") : shape.value.location_name;
      for (const auto& [k, e] : v.get_object()) {
        *out += "<entry><";
        *out += kn;
        *out += '>';
        *out += XmlEscape(k);
        *out += "</";
        *out += kn;
        *out += '>';
        AppendXmlElement(out, vn, *shape.value.shape, e);
        *out += "</entry>";
      }
      return;
    }
    default:
      AppendScalar(out, shape, v, ts_format);
  }
}

void AppendMember(std::string* out, const Member& m, const json::value& v) {
  const Shape& s = *m.shape;
  bool flattened = m.flattened || s.flattened;
  if (flattened && s.type == ShapeType::kList && v.is_array() && s.member.shape) {
    std::string_view item = !s.member.location_name.empty() ? std::string_view(s.member.location_name)
                                                            : std::string_view(m.WireName());
    for (const auto& e : v.get_array()) AppendXmlElement(out, item, *s.member.shape, e);
    return;
  }
  if (flattened && s.type == ShapeType::kMap && v.is_object() && s.value.shape) {
    std::string_view kn =
        s.key.location_name.empty() ? std::string_view("key") : s.key.location_name;
    std::string_view vn =
        s.value.location_name.empty() ? std::string_view("value") : s.value.location_name;
    for (const auto& [k, e] : v.get_object()) {
      *out += '<';
      *out += m.WireName();
      *out += "><";
      *out += kn;
      *out += '>';
      *out += XmlEscape(k);
      *out += "</";
      *out += kn;
      *out += '>';
      AppendXmlElement(out, vn, *s.value.shape, e);
      *out += "</";
      *out += m.WireName();
      *out += '>';
    }
    return;
  }
  // The namespace is declared on the member or on its shape (S3 Grantee declares xmlns:xsi for
  // its xsi:type attribute, as botocore's RestXMLSerializer._add_xml_namespace writes it).
  const std::string& ns = m.xml_namespace.empty() ? s.xml_namespace : m.xml_namespace;
  const std::string& prefix =
      m.xml_namespace.empty() ? s.xml_namespace_prefix : m.xml_namespace_prefix;
  *out += '<';
  *out += m.WireName();
  if (!ns.empty()) {
    *out += " xmlns";
    if (!prefix.empty()) *out += ":" + prefix;
    *out += "=\"" + XmlEscape(ns) + "\"";
  }
  if (s.type == ShapeType::kStructure && v.is_object()) {
    for (const auto& am : s.members) {
      if (!am.xml_attribute || !am.shape) continue;
      auto* av = v.get_object().if_contains(am.name);
      if (!av) continue;
      *out += ' ';
      *out += am.WireName();
      *out += "=\"";
      AppendScalar(out, *am.shape, *av, m.timestamp_format);
      *out += '"';
    }
  }
  *out += '>';
  AppendBody(out, s, v, m.timestamp_format);
  *out += "</";
  *out += m.WireName();
  *out += '>';
}

}  // namespace

void AppendXmlMembers(std::string* out, const Shape& shape, const json::value& value) {
  if (!value.is_object()) return;
  const auto& o = value.get_object();
  for (const auto& m : shape.members) {
    if (m.location != Location::kBody || m.xml_attribute || !m.shape) continue;
    auto* v = o.if_contains(m.name);
    if (!v || v->is_null()) continue;
    AppendMember(out, m, *v);
  }
}

void AppendXmlElement(std::string* out, std::string_view name, const Shape& shape,
                      const json::value& value, std::string_view xmlns) {
  *out += '<';
  *out += name;
  if (!xmlns.empty()) {
    *out += " xmlns=\"";
    *out += xmlns;
    *out += '"';
  }
  *out += '>';
  AppendBody(out, shape, value, {});
  *out += "</";
  *out += name;
  *out += '>';
}

}  // namespace nimbus::protocol
