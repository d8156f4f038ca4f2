// A reader of the block subset of YAML that OpenAPI documents use (nimbus has no YAML library),
// turning each node into the JSON value a YAML 1.2 core-schema reader would, and a writer whose
// output that reader and YAML 1.1 readers read back as the same value.
#include "services/execute_api/yaml.h"

#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <vector>

namespace nimbus::execute_api {

namespace {

// ---- YAML reader ----

struct Line {
  int number = 0;    // 1-based, for messages
  int indent = 0;    // leading spaces
  std::string text;  // without the indent and without a trailing comment
  std::string raw;   // without the indent, comment kept (block scalars' content)
};

class YamlError {
 public:
  YamlError(int line, std::string what) : message("line " + std::to_string(line) + ": " + what) {}
  std::string message;
};

// Strips a comment: '#' at the start or after a blank, outside quotes.
std::string StripComment(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < s.size() && s[i + 1] == '\'')
          ++i;
        else
          quote = 0;
      }
      continue;
    }
    if ((c == '"' || c == '\'') && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '[' ||
                                    s[i - 1] == '{' || s[i - 1] == ',' || s[i - 1] == ':'))
      quote = c;
    else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
      return std::string(s.substr(0, i));
  }
  return std::string(s);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// A plain scalar as the YAML 1.2 core schema reads it.
json::value ResolvePlain(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digits = i < s.size();
  for (size_t j = i; j < s.size(); ++j) digits = digits && std::isdigit((unsigned char)s[j]);
  std::string str(s);
  if (digits) {
    errno = 0;
    char* end = nullptr;
    long long n = std::strtoll(str.c_str(), &end, 10);
    if (errno == 0 && end == str.c_str() + str.size()) return static_cast<int64_t>(n);
  }
  // Floats: [-+]? digits [. digits] [e[-+]digits], or .inf / .nan are left as strings.
  bool num = i < s.size(), dot = false, exp = false, any_digit = false;
  for (size_t j = i; j < s.size() && num; ++j) {
    char c = s[j];
    if (std::isdigit((unsigned char)c)) {
      any_digit = true;
    } else if (c == '.' && !dot && !exp) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && !exp && any_digit) {
      exp = true;
      if (j + 1 < s.size() && (s[j + 1] == '-' || s[j + 1] == '+')) ++j;
      if (j + 1 >= s.size()) num = false;
    } else {
      num = false;
    }
  }
  if (num && any_digit && (dot || exp)) {
    char* end = nullptr;
    double d = std::strtod(str.c_str(), &end);
    if (end == str.c_str() + str.size()) return d;
  }
  return json::string(s);
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class YamlReader {
 public:
  explicit YamlReader(std::vector<Line> lines) : lines_(std::move(lines)) {}

  json::value Document() {
    if (lines_.empty()) return nullptr;
    json::value v = Node(lines_[0].indent, 0);
    if (pos_ < lines_.size())
      throw YamlError(lines_[pos_].number, "unexpected indentation or content");
    return v;
  }

 private:
  std::vector<Line> lines_;
  size_t pos_ = 0;

  static bool IsSequenceItem(std::string_view t) {
    return t == "-" || (t.size() > 1 && t[0] == '-' && t[1] == ' ');
  }

  // Where the ':' that ends a mapping key is ("key: v" or "key:"), or npos.
  static size_t KeyColon(std::string_view t) {
    if (t.empty() || t[0] == '[' || t[0] == '{' || IsSequenceItem(t)) return std::string_view::npos;
    size_t i = 0;
    if (t[0] == '"' || t[0] == '\'') {
      char q = t[0];
      for (i = 1; i < t.size(); ++i) {
        if (q == '"' && t[i] == '\\') {
          ++i;
        } else if (t[i] == q) {
          if (q == '\'' && i + 1 < t.size() && t[i + 1] == '\'') {
            ++i;
            continue;
          }
          break;
        }
      }
      ++i;
      while (i < t.size() && t[i] == ' ') ++i;
      if (i < t.size() && t[i] == ':' && (i + 1 == t.size() || t[i + 1] == ' ')) return i;
      return std::string_view::npos;
    }
    for (; i < t.size(); ++i)
      if (t[i] == ':' && (i + 1 == t.size() || t[i + 1] == ' ')) return i;
    return std::string_view::npos;
  }

  json::value Node(int indent, int depth) {
    if (depth > kMaxYamlDepth)
      throw YamlError(lines_[pos_].number, "the document nests too deeply");
    const Line& l = lines_[pos_];
    if (IsSequenceItem(l.text)) return Sequence(l.indent, depth);
    if (KeyColon(l.text) != std::string_view::npos) return Mapping(l.indent, depth);
    // A lone scalar or flow collection (possibly spread over more indented lines).
    ++pos_;
    return InlineValue(l.text, l.number, indent - 1, depth);
  }

  json::value Mapping(int indent, int depth) {
    json::object out;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent) {
      const Line& l = lines_[pos_];
      size_t colon = KeyColon(l.text);
      if (colon == std::string_view::npos) {
        if (IsSequenceItem(l.text))
          throw YamlError(l.number, "a sequence item where a mapping key was expected");
        throw YamlError(l.number, "expected 'key: value'");
      }
      std::string_view raw_key = Trim(std::string_view(l.text).substr(0, colon));
      std::string key;
      if (!raw_key.empty() && (raw_key[0] == '"' || raw_key[0] == '\'')) {
        size_t used = 0;
        key = Quoted(raw_key, l.number, &used);
      } else {
        if (!raw_key.empty() &&
            (raw_key[0] == '&' || raw_key[0] == '*' || raw_key[0] == '!' || raw_key[0] == '?'))
          throw YamlError(l.number,
                          "YAML anchors, aliases, tags and complex keys are not supported");
        key = std::string(raw_key);
      }
      std::string_view rest = Trim(std::string_view(l.text).substr(colon + 1));
      int number = l.number;
      ++pos_;
      out[key] = Value(rest, number, indent, depth);
    }
    return out;
  }

  json::value Sequence(int indent, int depth) {
    json::array out;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent &&
           IsSequenceItem(lines_[pos_].text)) {
      Line& l = lines_[pos_];
      std::string_view rest = std::string_view(l.text).substr(1);
      size_t spaces = 0;
      while (spaces < rest.size() && rest[spaces] == ' ') ++spaces;
      rest.remove_prefix(spaces);
      if (rest.empty()) {
        ++pos_;
        out.push_back(Nested(indent, l.number, depth));
      } else if (IsSequenceItem(rest) || KeyColon(rest) != std::string_view::npos) {
        // "- key: v" / "- - x": the item is a collection starting at the item's content column.
        l.indent = indent + 1 + static_cast<int>(spaces);
        l.text = std::string(rest);
        l.raw = l.text;
        out.push_back(Node(l.indent, depth + 1));
      } else {
        int number = l.number;
        ++pos_;
        out.push_back(InlineValue(rest, number, indent, depth));
      }
    }
    return out;
  }

  // The value after "key:" on line `number` of a mapping at `indent`.
  json::value Value(std::string_view rest, int number, int indent, int depth) {
    if (rest.empty()) {
      // A block sequence may sit at the key's own indent.
      if (pos_ < lines_.size() && lines_[pos_].indent == indent &&
          IsSequenceItem(lines_[pos_].text))
        return Sequence(indent, depth + 1);
      return Nested(indent, number, depth);
    }
    return InlineValue(rest, number, indent, depth);
  }

  // The node on the following lines, more indented than `indent`, or null.
  json::value Nested(int indent, int, int depth) {
    if (pos_ < lines_.size() && lines_[pos_].indent > indent)
      return Node(lines_[pos_].indent, depth + 1);
    return nullptr;
  }

  // A value written on the line itself: block scalar header, flow collection, quoted or plain
  // scalar (plain and quoted ones continue on more indented lines).
  json::value InlineValue(std::string_view text, int number, int indent, int depth) {
    if (text[0] == '|' || text[0] == '>') return BlockScalar(text, number, indent);
    if (text[0] == '&' || text[0] == '*' || text[0] == '!')
      throw YamlError(number, "YAML anchors, aliases and tags are not supported");
    std::string joined(text);
    if (text[0] == '[' || text[0] == '{' || text[0] == '"' || text[0] == '\'') {
      // Flow collections and quoted scalars may continue on more indented lines.
      while (!Balanced(joined) && pos_ < lines_.size() && lines_[pos_].indent > indent)
        joined += " " + lines_[pos_++].text;
      if (text[0] == '"' || text[0] == '\'') {
        size_t used = 0;
        std::string s = Quoted(joined, number, &used);
        if (!Trim(std::string_view(joined).substr(used)).empty())
          throw YamlError(number, "unexpected text after a quoted string");
        return json::string(s);
      }
      size_t at = 0;
      json::value v = Flow(joined, at, number, depth);
      while (at < joined.size() && joined[at] == ' ') ++at;
      if (at != joined.size()) throw YamlError(number, "unexpected text after a flow collection");
      return v;
    }
    // Plain multi-line scalar: continuation lines fold with a space.
    while (pos_ < lines_.size() && lines_[pos_].indent > indent &&
           KeyColon(lines_[pos_].text) == std::string_view::npos &&
           !IsSequenceItem(lines_[pos_].text))
      joined += " " + lines_[pos_++].text;
    if (KeyColon(joined) != std::string_view::npos && joined.find(": ") != std::string::npos)
      throw YamlError(number, "a mapping value cannot start on the line of its key here");
    return ResolvePlain(Trim(joined));
  }

  static bool Balanced(std::string_view s) {
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (quote) {
        if (quote == '"' && c == '\\')
          ++i;
        else if (c == quote)
          quote = 0;
        continue;
      }
      if (c == '"' || c == '\'') quote = c;
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') --depth;
    }
    return depth <= 0 && !quote;
  }

  json::value BlockScalar(std::string_view header, int number, int indent) {
    bool folded = header[0] == '>';
    char chomp = 0;
    for (char c : header.substr(1)) {
      if (c == '-' || c == '+')
        chomp = c;
      else if (!std::isdigit((unsigned char)c) && c != ' ')
        throw YamlError(number, "unsupported block scalar header");
    }
    // Blank lines were dropped by the line splitter; keep their count from line numbers.
    std::vector<std::string> body;
    int block_indent = -1;
    int last_number = number;
    while (pos_ < lines_.size() && lines_[pos_].indent > indent) {
      const Line& l = lines_[pos_];
      if (block_indent < 0) block_indent = l.indent;
      if (l.indent < block_indent) break;
      for (int gap = last_number + 1; gap < l.number && !body.empty(); ++gap) body.emplace_back();
      body.push_back(std::string(l.indent - block_indent, ' ') + raw_text(l));
      last_number = l.number;
      ++pos_;
    }
    std::string out;
    for (size_t i = 0; i < body.size(); ++i) {
      if (i > 0) {
        bool join = folded && !body[i].empty() && !body[i - 1].empty() && body[i][0] != ' ';
        out += join ? " " : "\n";
      }
      out += body[i];
    }
    if (!out.empty() && chomp != '-') out += "\n";
    return json::string(out);
  }

  // The text of a line in a block scalar: comments are content there.
  std::string raw_text(const Line& l) const { return l.raw.empty() ? l.text : l.raw; }

 public:
  // Quoted scalar at the start of `s`; *used is how many characters it took.
  static std::string Quoted(std::string_view s, int number, size_t* used) {
    char q = s[0];
    std::string out;
    for (size_t i = 1; i < s.size(); ++i) {
      char c = s[i];
      if (q == '\'') {
        if (c == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            out.push_back('\'');
            ++i;
            continue;
          }
          *used = i + 1;
          return out;
        }
        out.push_back(c);
        continue;
      }
      if (c == '"') {
        *used = i + 1;
        return out;
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (++i >= s.size()) break;
      switch (s[i]) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case '0':
          out.push_back('\0');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case '/':
          out.push_back('/');
          break;
        case ' ':
          out.push_back(' ');
          break;
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case 'u':
        case 'U':
        case 'x': {
          size_t n = s[i] == 'u' ? 4 : s[i] == 'U' ? 8 : 2;
          uint32_t cp = 0;
          for (size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size() || !std::isxdigit((unsigned char)s[i + k]))
              throw YamlError(number, "bad escape in a double-quoted string");
            char h = s[i + k];
            cp =
                cp * 16 + (std::isdigit((unsigned char)h) ? h - '0' : (std::tolower(h) - 'a' + 10));
          }
          if (cp > 0x10FFFF) throw YamlError(number, "bad escape in a double-quoted string");
          AppendUtf8(out, cp);
          i += n;
          break;
        }
        default:
          throw YamlError(number, "unknown escape in a double-quoted string");
      }
    }
    throw YamlError(number, "unterminated quoted string");
  }

 private:
  // A flow collection or scalar at s[at]; advances `at`.
  json::value Flow(std::string_view s, size_t& at, int number, int depth) {
    if (depth > kMaxYamlDepth) throw YamlError(number, "the document nests too deeply");
    auto skip = [&] {
      while (at < s.size() && s[at] == ' ') ++at;
    };
    skip();
    if (at >= s.size()) throw YamlError(number, "unexpected end of a flow collection");
    char c = s[at];
    if (c == '[') {
      json::array out;
      ++at;
      skip();
      if (at < s.size() && s[at] == ']') {
        ++at;
        return out;
      }
      while (true) {
        out.push_back(Flow(s, at, number, depth + 1));
        skip();
        if (at < s.size() && s[at] == ',') {
          ++at;
          skip();
          if (at < s.size() && s[at] == ']') {
            ++at;
            return out;
          }
          continue;
        }
        if (at < s.size() && s[at] == ']') {
          ++at;
          return out;
        }
        throw YamlError(number, "expected ',' or ']' in a flow sequence");
      }
    }
    if (c == '{') {
      json::object out;
      ++at;
      skip();
      if (at < s.size() && s[at] == '}') {
        ++at;
        return out;
      }
      while (true) {
        json::value key = FlowScalar(s, at, number, true);
        skip();
        if (at >= s.size() || s[at] != ':')
          throw YamlError(number, "expected ':' in a flow mapping");
        ++at;
        json::value v = nullptr;
        skip();
        if (at < s.size() && s[at] != ',' && s[at] != '}') v = Flow(s, at, number, depth + 1);
        out[key.is_string() ? std::string(key.get_string()) : json::serialize(key)] = std::move(v);
        skip();
        if (at < s.size() && s[at] == ',') {
          ++at;
          skip();
          if (at < s.size() && s[at] == '}') {
            ++at;
            return out;
          }
          continue;
        }
        if (at < s.size() && s[at] == '}') {
          ++at;
          return out;
        }
        throw YamlError(number, "expected ',' or '}' in a flow mapping");
      }
    }
    return FlowScalar(s, at, number, false);
  }

  static json::value FlowScalar(std::string_view s, size_t& at, int number, bool key) {
    if (at < s.size() && (s[at] == '"' || s[at] == '\'')) {
      size_t used = 0;
      std::string v = Quoted(s.substr(at), number, &used);
      at += used;
      return json::string(v);
    }
    size_t start = at;
    while (at < s.size() && s[at] != ',' && s[at] != ']' && s[at] != '}' &&
           !(s[at] == ':' && (key || at + 1 == s.size() || s[at + 1] == ' ')))
      ++at;
    std::string_view text = Trim(s.substr(start, at - start));
    if (!text.empty() && (text[0] == '&' || text[0] == '*' || text[0] == '!'))
      throw YamlError(number, "YAML anchors, aliases and tags are not supported");
    if (key) return json::string(text);
    return ResolvePlain(text);
  }
};

// ---- YAML writer ----

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  json::value back = ResolvePlain(s);
  if (!back.is_string() || back.get_string() != s) return true;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@` ").find(s[0]) != std::string_view::npos) return true;
  // YAML 1.1 readers (PyYAML, for one) also take these for numbers, dates and booleans.
  if (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '+' || s[0] == '.') return true;
  static constexpr std::string_view kBooleans[] = {"y", "n", "yes", "no", "on", "off"};
  std::string lower(s);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto b : kBooleans)
    if (lower == b) return true;
  if (s.back() == ' ' || s.back() == ':') return true;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return true;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

std::string Scalar(const json::value& v) {
  if (v.is_string()) {
    std::string_view s = v.get_string();
    return NeedsQuotes(s) ? json::serialize(v) : std::string(s);
  }
  return json::serialize(v);  // null, true/false, numbers read back the same
}

void WriteYaml(const json::value& v, int indent, std::string& out) {
  std::string pad(indent, ' ');
  if (v.is_object()) {
    for (const auto& [k, child] : v.get_object()) {
      out += pad;
      out += NeedsQuotes(k) ? json::serialize(json::string(k)) : std::string(k);
      out += ":";
      bool block = (child.is_object() && !child.get_object().empty()) ||
                   (child.is_array() && !child.get_array().empty());
      if (block) {
        out += "\n";
        WriteYaml(child, indent + 2, out);
      } else {
        out += " ";
        out += child.is_object() ? "{}" : child.is_array() ? "[]" : Scalar(child);
        out += "\n";
      }
    }
    return;
  }
  if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      bool block = (item.is_object() && !item.get_object().empty()) ||
                   (item.is_array() && !item.get_array().empty());
      if (!block) {
        out += pad + "- ";
        out += item.is_object() ? "{}" : item.is_array() ? "[]" : Scalar(item);
        out += "\n";
        continue;
      }
      std::string nested;
      WriteYaml(item, indent + 2, nested);
      nested.replace(indent, 2, "- ");
      out += nested;
    }
    return;
  }
  out += pad + Scalar(v) + "\n";
}

}  // namespace

std::optional<json::value> ParseYaml(std::string_view body, std::string* error) {
  std::vector<Line> lines;
  int number = 0;
  size_t pos = 0;
  bool started = false;
  while (pos <= body.size()) {
    size_t nl = body.find('\n', pos);
    std::string_view raw = body.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? body.size() + 1 : nl + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    int indent = 0;
    while (indent < static_cast<int>(raw.size()) && raw[indent] == ' ') ++indent;
    if (indent < static_cast<int>(raw.size()) && raw[indent] == '\t') {
      *error = "Invalid YAML: line " + std::to_string(number) + ": tabs cannot indent YAML";
      return std::nullopt;
    }
    std::string text(Trim(StripComment(raw.substr(indent))));
    if (text.empty()) continue;
    if (indent == 0 && (text == "---" || text.rfind("--- ", 0) == 0)) {
      if (started) {
        *error = "Invalid YAML: line " + std::to_string(number) + ": one YAML document is expected";
        return std::nullopt;
      }
      started = true;
      continue;
    }
    if (indent == 0 && text == "...") break;
    if (indent == 0 && text[0] == '%') continue;  // %YAML directive
    started = true;
    Line l{number, indent, std::move(text)};
    l.raw = std::string(raw.substr(indent));
    lines.push_back(std::move(l));
  }
  try {
    return YamlReader(std::move(lines)).Document();
  } catch (const YamlError& e) {
    *error = "Invalid YAML: " + e.message;
    return std::nullopt;
  }
}

std::string ToYaml(const json::value& v) {
  std::string out;
  if (v.is_object() && !v.get_object().empty()) {
    WriteYaml(v, 0, out);
  } else if (v.is_array() && !v.get_array().empty()) {
    WriteYaml(v, 0, out);
  } else {
    out = (v.is_object() ? "{}" : v.is_array() ? "[]" : Scalar(v)) + "\n";
  }
  return out;
}

}  // namespace nimbus::execute_api
