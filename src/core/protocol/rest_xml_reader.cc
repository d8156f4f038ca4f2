#include "core/protocol/rest_xml_reader.h"

#include <boost/json.hpp>
#include <pugixml.hpp>

#include "core/common/encoding.h"
#include "core/protocol/rest_binding.h"

namespace nimbus::protocol {

namespace {

constexpr int kMaxDepth = 64;

ApiError Malformed() {
  return ApiError("MalformedXML", 400,
                  "The XML you provided was not well-formed or did not validate against our "
                  "published schema");
}

std::string_view LocalName(std::string_view name) {
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// All character data directly inside `node` (text and CDATA sections).
std::string Text(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  return out;
}

bool IsFlattened(const Member& m) { return m.flattened || (m.shape && m.shape->flattened); }

// The body member of `shape` written as element `name`. Flattened lists are written with the
// list member's locationName when it has one (botocore parsers.py _member_key_name), else with
// the member's own name; both are accepted.
const Member* ChildMember(const Shape& shape, std::string_view name) {
  for (const auto& m : shape.members) {
    if (m.location != Location::kBody || m.xml_attribute || !m.shape) continue;
    if (LocalName(m.WireName()) == name) return &m;
    if (m.shape->type == ShapeType::kList && IsFlattened(m) &&
        !m.shape->member.location_name.empty() && m.shape->member.location_name == name)
      return &m;
  }
  return nullptr;
}

class Reader {
 public:
  bool Value(const Shape& shape, pugi::xml_node node, int depth, json::value* out) {
    if (depth > kMaxDepth) return false;
    switch (shape.type) {
      case ShapeType::kStructure:
        return Structure(shape, node, depth, out);
      case ShapeType::kList: {
        json::array items;
        if (!shape.member.shape) return false;
        for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
          if (c.type() != pugi::node_element) continue;
          json::value v;
          if (!Value(*shape.member.shape, c, depth + 1, &v)) return false;
          items.push_back(std::move(v));
        }
        *out = std::move(items);
        return true;
      }
      case ShapeType::kMap: {
        json::object entries;
        for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
          if (c.type() != pugi::node_element) continue;
          if (!Entry(shape, c, depth + 1, &entries)) return false;
        }
        *out = std::move(entries);
        return true;
      }
      default: {
        std::string text = Text(node);
        if (shape.type == ShapeType::kBlob) {
          // Base64 in XML may be wrapped over several lines.
          std::string compact;
          for (char c : text)
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') compact += c;
          text = std::move(compact);
        }
        return rest::TextToValue(shape, text, false, out);
      }
    }
  }

 private:
  bool Structure(const Shape& shape, pugi::xml_node node, int depth, json::value* out) {
    json::object o;
    for (const auto& m : shape.members) {
      if (!m.xml_attribute || !m.shape || m.location != Location::kBody) continue;
      for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
        std::string_view an = a.name();
        if (an != m.WireName() && LocalName(an) != LocalName(m.WireName())) continue;
        json::value v;
        if (!rest::TextToValue(*m.shape, a.value(), false, &v)) return false;
        o[m.name] = std::move(v);
        break;
      }
    }
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const Member* m = ChildMember(shape, LocalName(c.name()));
      if (!m) continue;
      const Shape& ms = *m->shape;
      if (IsFlattened(*m) && ms.type == ShapeType::kList) {
        if (!ms.member.shape) return false;
        json::value v;
        if (!Value(*ms.member.shape, c, depth + 1, &v)) return false;
        json::value& list = o[m->name];
        if (!list.is_array()) list = json::array();
        list.get_array().push_back(std::move(v));
      } else if (IsFlattened(*m) && ms.type == ShapeType::kMap) {
        json::value& map = o[m->name];
        if (!map.is_object()) map = json::object();
        if (!Entry(ms, c, depth + 1, &map.get_object())) return false;
      } else {
        json::value v;
        if (!Value(ms, c, depth + 1, &v)) return false;
        o[m->name] = std::move(v);
      }
    }
    *out = std::move(o);
    return true;
  }

  // One <entry><key/><value/></entry> (or a flattened map element holding key and value).
  bool Entry(const Shape& map, pugi::xml_node entry, int depth, json::object* out) {
    if (depth > kMaxDepth || !map.value.shape) return false;
    std::string kn = map.key.location_name.empty() ? "key" : map.key.location_name;
    std::string vn = map.value.location_name.empty() ? "value" : map.value.location_name;
    pugi::xml_node key, value;
    for (pugi::xml_node c = entry.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      std::string_view n = LocalName(c.name());
      if (n == kn)
        key = c;
      else if (n == vn)
        value = c;
    }
    if (!key) return false;
    std::string k = Text(key);
    json::value v;
    if (value && !Value(*map.value.shape, value, depth + 1, &v)) return false;
    (*out)[k] = std::move(v);
    return true;
  }
};

}  // namespace

Result<Document> ReadXmlBody(std::string_view xml, const Shape& shape) {
  if (!IsValidUtf8(xml)) return Malformed();
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata_single,
                      pugi::encoding_utf8);
  if (!parsed) return Malformed();
  pugi::xml_node root = doc.document_element();
  if (!root) return Malformed();
  json::value out;
  Reader reader;
  if (!reader.Value(shape, root, 0, &out)) return Malformed();
  return out;
}

}  // namespace nimbus::protocol
