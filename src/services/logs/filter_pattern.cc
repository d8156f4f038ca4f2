#include "services/logs/filter_pattern.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "core/common/document.h"

namespace nimbus::logs {

namespace {

constexpr std::string_view kInvalid = "Invalid filter pattern";
constexpr int kMaxDepth = 64;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<double> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };

// A literal on the right of a comparison: a string (with * wildcards) or a number.
struct Literal {
  std::string text;
  std::optional<double> number;  // set when unquoted and numeric
};

bool CompareNumbers(double a, Op op, double b) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return a != b;
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return a <= b;
    case Op::kGt:
      return a > b;
    case Op::kGe:
      return a >= b;
  }
  return false;
}

// Compares a field's text (a JSON scalar or a space-delimited field) with a literal.
bool CompareText(std::string_view field, bool field_is_number, Op op, const Literal& lit) {
  if (lit.number) {
    auto v = ParseNumber(field);
    if (v) return CompareNumbers(*v, op, *lit.number);
    if (op == Op::kEq) return false;
    return op == Op::kNe && !field_is_number;
  }
  if (op == Op::kEq) return GlobMatch(lit.text, field);
  if (op == Op::kNe) return !GlobMatch(lit.text, field);
  return false;  // relational operators take numbers only (checked at parse time)
}

// ---- JSON patterns ------------------------------------------------------------------------------

struct PathStep {
  std::string key;
  int64_t index = -1;  // >= 0: an array subscript
};

struct JsonExpr {
  enum class Kind { kAnd, kOr, kCompare, kIsNull, kNotExists, kIsTrue, kIsFalse } kind;
  std::unique_ptr<JsonExpr> left, right;
  std::vector<PathStep> path;
  Op op = Op::kEq;
  Literal literal;
};

const json::value* Resolve(const json::value& root, const std::vector<PathStep>& path) {
  const json::value* v = &root;
  for (const auto& step : path) {
    if (step.index >= 0) {
      if (!v->is_array() || static_cast<size_t>(step.index) >= v->get_array().size())
        return nullptr;
      v = &v->get_array()[static_cast<size_t>(step.index)];
    } else {
      if (!v->is_object()) return nullptr;
      v = v->get_object().if_contains(step.key);
      if (!v) return nullptr;
    }
  }
  return v;
}

bool Evaluate(const JsonExpr& e, const json::value& root) {
  switch (e.kind) {
    case JsonExpr::Kind::kAnd:
      return Evaluate(*e.left, root) && Evaluate(*e.right, root);
    case JsonExpr::Kind::kOr:
      return Evaluate(*e.left, root) || Evaluate(*e.right, root);
    case JsonExpr::Kind::kNotExists:
      return Resolve(root, e.path) == nullptr;
    case JsonExpr::Kind::kIsNull: {
      const auto* v = Resolve(root, e.path);
      return v && v->is_null();
    }
    case JsonExpr::Kind::kIsTrue: {
      const auto* v = Resolve(root, e.path);
      return v && v->is_bool() && v->get_bool();
    }
    case JsonExpr::Kind::kIsFalse: {
      const auto* v = Resolve(root, e.path);
      return v && v->is_bool() && !v->get_bool();
    }
    case JsonExpr::Kind::kCompare: {
      const auto* v = Resolve(root, e.path);
      if (!v || v->is_object() || v->is_array()) return false;
      if (v->is_string()) return CompareText(v->get_string(), false, e.op, e.literal);
      if (v->is_number()) {
        if (e.literal.number)
          return CompareNumbers(v->to_number<double>(), e.op, *e.literal.number);
        return CompareText(json::serialize(*v), true, e.op, e.literal);
      }
      return CompareText(json::serialize(*v), false, e.op, e.literal);  // true/false/null
    }
  }
  return false;
}

// Recursive-descent parser over the text of a JSON or space-delimited pattern.
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  bool AtEnd() {
    SkipSpace();
    return pos_ >= s_.size();
  }
  bool Fail() {
    failed_ = true;
    return false;
  }
  bool failed() const { return failed_; }

  std::unique_ptr<JsonExpr> ParseOr(int depth) {
    if (depth > kMaxDepth) return Failed();
    auto left = ParseAnd(depth);
    while (left && Consume("||")) {
      auto right = ParseAnd(depth);
      if (!right) return nullptr;
      left = Combine(JsonExpr::Kind::kOr, std::move(left), std::move(right));
    }
    return left;
  }

  // A literal: "quoted" (backslash escapes) or a bare run up to a delimiter.
  std::optional<Literal> ParseLiteral(std::string_view stops) {
    SkipSpace();
    Literal lit;
    if (pos_ < s_.size() && s_[pos_] == '"') {
      ++pos_;
      bool closed = false;
      while (pos_ < s_.size()) {
        char c = s_[pos_++];
        if (c == '\\' && pos_ < s_.size()) {
          lit.text.push_back(s_[pos_++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          lit.text.push_back(c);
        }
      }
      if (!closed) return std::nullopt;
      return lit;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && !IsSpace(s_[pos_]) && stops.find(s_[pos_]) == std::string_view::npos)
      ++pos_;
    lit.text = std::string(s_.substr(start, pos_ - start));
    if (lit.text.empty() || lit.text.find('"') != std::string::npos) return std::nullopt;
    lit.number = ParseNumber(lit.text);
    return lit;
  }

  std::optional<Op> ParseOp() {
    SkipSpace();
    if (Consume("!=")) return Op::kNe;
    if (Consume("<=")) return Op::kLe;
    if (Consume(">=")) return Op::kGe;
    if (Consume("=")) return Op::kEq;
    if (Consume("<")) return Op::kLt;
    if (Consume(">")) return Op::kGt;
    return std::nullopt;
  }

  std::string ParseIdentifier() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  bool Consume(std::string_view token) {
    SkipSpace();
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  // A keyword (IS, NULL, NOT, EXISTS, TRUE, FALSE), case-insensitive, not followed by a word
  // character.
  bool ConsumeKeyword(std::string_view word) {
    SkipSpace();
    if (s_.size() - pos_ < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i)
      if (std::toupper(static_cast<unsigned char>(s_[pos_ + i])) != word[i]) return false;
    size_t end = pos_ + word.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_'))
      return false;
    pos_ = end;
    return true;
  }

 private:
  std::unique_ptr<JsonExpr> Failed() {
    failed_ = true;
    return nullptr;
  }

  static std::unique_ptr<JsonExpr> Combine(JsonExpr::Kind kind, std::unique_ptr<JsonExpr> l,
                                           std::unique_ptr<JsonExpr> r) {
    auto e = std::make_unique<JsonExpr>();
    e->kind = kind;
    e->left = std::move(l);
    e->right = std::move(r);
    return e;
  }

  std::unique_ptr<JsonExpr> ParseAnd(int depth) {
    auto left = ParseUnary(depth);
    while (left && Consume("&&")) {
      auto right = ParseUnary(depth);
      if (!right) return nullptr;
      left = Combine(JsonExpr::Kind::kAnd, std::move(left), std::move(right));
    }
    return left;
  }

  std::unique_ptr<JsonExpr> ParseUnary(int depth) {
    if (Consume("(")) {
      auto inner = ParseOr(depth + 1);
      if (!inner || !Consume(")")) return Failed();
      return inner;
    }
    return ParseComparison();
  }

  std::unique_ptr<JsonExpr> ParseComparison() {
    auto e = std::make_unique<JsonExpr>();
    if (!ParseSelector(&e->path)) return Failed();
    if (ConsumeKeyword("IS")) {
      if (ConsumeKeyword("NULL"))
        e->kind = JsonExpr::Kind::kIsNull;
      else if (ConsumeKeyword("TRUE"))
        e->kind = JsonExpr::Kind::kIsTrue;
      else if (ConsumeKeyword("FALSE"))
        e->kind = JsonExpr::Kind::kIsFalse;
      else
        return Failed();
      return e;
    }
    if (ConsumeKeyword("NOT")) {
      if (!ConsumeKeyword("EXISTS")) return Failed();
      e->kind = JsonExpr::Kind::kNotExists;
      return e;
    }
    auto op = ParseOp();
    if (!op) return Failed();
    auto lit = ParseLiteral("()&|");
    if (!lit) return Failed();
    if (*op != Op::kEq && *op != Op::kNe && !lit->number) return Failed();
    e->kind = JsonExpr::Kind::kCompare;
    e->op = *op;
    e->literal = std::move(*lit);
    return e;
  }

  // $.a.b[0].c — a key is any run of characters other than spaces and the pattern's operators.
  bool ParseSelector(std::vector<PathStep>* path) {
    SkipSpace();
    if (pos_ >= s_.size() || s_[pos_] != '$') return false;
    ++pos_;
    static constexpr std::string_view kKeyStops = ".[]()=!<>&|\"";
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '.') {
        ++pos_;
        size_t start = pos_;
        while (pos_ < s_.size() && !IsSpace(s_[pos_]) &&
               kKeyStops.find(s_[pos_]) == std::string_view::npos)
          ++pos_;
        if (pos_ == start) return false;
        path->push_back({std::string(s_.substr(start, pos_ - start)), -1});
      } else if (c == '[') {
        ++pos_;
        size_t start = pos_;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
        if (pos_ == start || pos_ - start > 9 || pos_ >= s_.size() || s_[pos_] != ']') return false;
        int64_t index = 0;
        std::from_chars(s_.data() + start, s_.data() + pos_, index);
        ++pos_;
        path->push_back({"", index});
      } else {
        break;
      }
    }
    return !path->empty();
  }

  void SkipSpace() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }

  std::string_view s_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// ---- Space-delimited patterns -------------------------------------------------------------------

struct FieldCondition {
  Op op;
  Literal literal;
};

struct SpaceField {
  bool ellipsis = false;
  std::string name;
  std::vector<FieldCondition> conditions;
  bool any = false;  // conditions joined by || (else &&)
};

bool FieldMatches(const SpaceField& f, std::string_view token) {
  if (f.ellipsis || f.conditions.empty()) return true;
  for (const auto& c : f.conditions) {
    bool ok = CompareText(token, false, c.op, c.literal);
    if (f.any && ok) return true;
    if (!f.any && !ok) return false;
  }
  return !f.any;
}

// Splits a message into fields: runs of non-spaces, "quoted" runs and [bracketed] runs (the
// delimiters are dropped), as AWS splits access-log lines.
std::vector<std::string_view> SplitFields(std::string_view m) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < m.size()) {
    while (i < m.size() && IsSpace(m[i])) ++i;
    if (i >= m.size()) break;
    char close = m[i] == '"' ? '"' : m[i] == '[' ? ']' : 0;
    if (close) {
      size_t end = m.find(close, i + 1);
      if (end != std::string_view::npos) {
        out.push_back(m.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
    }
    size_t start = i;
    while (i < m.size() && !IsSpace(m[i])) ++i;
    out.push_back(m.substr(start, i - start));
  }
  return out;
}

bool ParseSpaceField(std::string_view spec, SpaceField* field) {
  spec = Trim(spec);
  if (spec == "...") {
    field->ellipsis = true;
    return true;
  }
  Parser p(spec);
  field->name = p.ParseIdentifier();
  if (field->name.empty()) return false;
  bool first = true;
  while (!p.AtEnd()) {
    if (!first) {
      bool is_and = p.Consume("&&");
      bool is_or = !is_and && p.Consume("||");
      if (!is_and && !is_or) return false;
      if (field->conditions.size() > 1 && field->any != is_or) return false;
      field->any = is_or;
      if (p.ParseIdentifier() != field->name) return false;
    }
    auto op = p.ParseOp();
    if (!op) return false;
    auto lit = p.ParseLiteral("&|");
    if (!lit) return false;
    if (*op != Op::kEq && *op != Op::kNe && !lit->number) return false;
    field->conditions.push_back({*op, std::move(*lit)});
    first = false;
  }
  return true;
}

// Splits the inside of [...] at commas outside quotes.
std::vector<std::string_view> SplitSpecs(std::string_view inner) {
  std::vector<std::string_view> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == '\\' && quoted) {
      ++i;
    } else if (inner[i] == '"') {
      quoted = !quoted;
    } else if (inner[i] == ',' && !quoted) {
      out.push_back(inner.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(inner.substr(start));
  return out;
}

// ---- Term patterns ------------------------------------------------------------------------------

// Characters that carry meaning in the other pattern forms, so AWS refuses them in an unquoted
// term ("Invalid character(s) in term '...'").
bool TermCharOk(char c) {
  static constexpr std::string_view kBad = "\"{}[]()=<>!&|%?*@";
  return kBad.find(c) == std::string_view::npos;
}

}  // namespace

struct FilterPattern::Impl {
  enum class Kind { kAll, kTerms, kJson, kSpace } kind = Kind::kAll;
  std::vector<std::string> required, optional, excluded;
  std::unique_ptr<JsonExpr> json;
  std::vector<SpaceField> fields;

  bool MatchTerms(std::string_view m) const {
    for (const auto& t : excluded)
      if (m.find(t) != std::string_view::npos) return false;
    for (const auto& t : required)
      if (m.find(t) == std::string_view::npos) return false;
    if (optional.empty()) return true;
    for (const auto& t : optional)
      if (m.find(t) != std::string_view::npos) return true;
    return false;
  }

  bool MatchJson(std::string_view m) const {
    m = Trim(m);
    if (m.empty() || (m.front() != '{' && m.front() != '[')) return false;
    json::error_code ec;
    json::parse_options opts;
    opts.max_depth = 64;
    json::value doc = json::parse(m, ec, {}, opts);
    if (ec) return false;
    return Evaluate(*json, doc);
  }

  bool MatchSpace(std::string_view m, ExtractedValues* extracted) const {
    auto tokens = SplitFields(m);
    const size_t nf = fields.size(), nt = tokens.size();
    // reach[f][t]: the first f fields can consume exactly the first t tokens.
    std::vector<std::vector<char>> reach(nf + 1, std::vector<char>(nt + 1, 0));
    reach[0][0] = 1;
    for (size_t f = 0; f < nf; ++f) {
      const auto& field = fields[f];
      for (size_t t = 0; t <= nt; ++t) {
        if (!reach[f][t]) continue;
        if (field.ellipsis) {
          for (size_t u = t; u <= nt; ++u) reach[f + 1][u] = 1;
          break;
        }
        if (t < nt && FieldMatches(field, tokens[t])) reach[f + 1][t + 1] = 1;
      }
    }
    if (!reach[nf][nt]) return false;
    if (extracted) {
      // Named fields before the first ellipsis sit at their index; after the last, from the end.
      size_t f = 0;
      for (; f < nf && !fields[f].ellipsis; ++f)
        extracted->emplace_back("$" + fields[f].name, std::string(tokens[f]));
      for (size_t g = nf; g > f && !fields[g - 1].ellipsis; --g)
        extracted->emplace_back("$" + fields[g - 1].name, std::string(tokens[nt - (nf - (g - 1))]));
    }
    return true;
  }
};

FilterPattern::FilterPattern(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FilterPattern::~FilterPattern() = default;

bool FilterPattern::MatchesEverything() const { return impl_->kind == Impl::Kind::kAll; }

bool FilterPattern::Matches(std::string_view message) const { return Matches(message, nullptr); }

bool FilterPattern::Matches(std::string_view message, ExtractedValues* extracted) const {
  switch (impl_->kind) {
    case Impl::Kind::kAll:
      return true;
    case Impl::Kind::kTerms:
      return impl_->MatchTerms(message);
    case Impl::Kind::kJson:
      return impl_->MatchJson(message);
    case Impl::Kind::kSpace:
      return impl_->MatchSpace(message, extracted);
  }
  return false;
}

std::shared_ptr<const FilterPattern> FilterPattern::Parse(std::string_view text,
                                                          std::string* error) {
  auto impl = std::make_unique<Impl>();
  std::string_view t = Trim(text);
  auto fail = [&](std::string message) -> std::shared_ptr<const FilterPattern> {
    *error = std::move(message);
    return nullptr;
  };
  if (t.empty()) {
    impl->kind = Impl::Kind::kAll;
  } else if (t.front() == '{') {
    if (t.back() != '}') return fail("If a filter pattern starts with '{' it must end with '}'");
    Parser p(t.substr(1, t.size() - 2));
    impl->json = p.ParseOr(0);
    if (!impl->json || p.failed() || !p.AtEnd()) return fail(std::string(kInvalid));
    impl->kind = Impl::Kind::kJson;
  } else if (t.front() == '[') {
    if (t.back() != ']') return fail(std::string(kInvalid));
    for (auto spec : SplitSpecs(t.substr(1, t.size() - 2))) {
      SpaceField field;
      if (!ParseSpaceField(spec, &field)) return fail(std::string(kInvalid));
      impl->fields.push_back(std::move(field));
    }
    impl->kind = Impl::Kind::kSpace;
  } else if (t.front() == '%') {
    return fail(std::string(kInvalid));  // regular expressions: not supported (see header)
  } else {
    size_t i = 0;
    while (i < t.size()) {
      while (i < t.size() && IsSpace(t[i])) ++i;
      if (i >= t.size()) break;
      std::vector<std::string>* list = &impl->required;
      if (t[i] == '?') {
        list = &impl->optional;
        ++i;
      } else if (t[i] == '-' && i + 1 < t.size() && !IsSpace(t[i + 1])) {
        list = &impl->excluded;
        ++i;
      }
      if (i < t.size() && t[i] == '"') {
        std::string phrase;
        bool closed = false;
        for (++i; i < t.size(); ++i) {
          if (t[i] == '\\' && i + 1 < t.size()) {
            phrase.push_back(t[++i]);
          } else if (t[i] == '"') {
            closed = true;
            ++i;
            break;
          } else {
            phrase.push_back(t[i]);
          }
        }
        if (!closed) return fail(std::string(kInvalid));
        if (i < t.size() && !IsSpace(t[i])) return fail(std::string(kInvalid));
        list->push_back(std::move(phrase));
        continue;
      }
      size_t start = i;
      while (i < t.size() && !IsSpace(t[i])) ++i;
      std::string_view term = t.substr(start, i - start);
      if (term.empty()) return fail(std::string(kInvalid));
      for (char c : term)
        if (!TermCharOk(c)) return fail("Invalid character(s) in term '" + std::string(term) + "'");
      list->emplace_back(term);
    }
    impl->kind = Impl::Kind::kTerms;
  }
  return std::shared_ptr<const FilterPattern>(new FilterPattern(std::move(impl)));
}

bool GlobMatch(std::string_view p, std::string_view s) {
  // Two-pointer wildcard matching: on a mismatch, retry from the last '*' one character later.
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace nimbus::logs
