#include "services/apigateway/resource_match.h"

#include "core/common/encoding.h"

namespace nimbus::apigateway {

namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return out;
  size_t pos = 0;
  while (true) {
    auto next = path.find('/', pos);
    out.push_back(path.substr(pos, next == std::string_view::npos ? next : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

std::string Decode(std::string_view s) { return UriDecode(s).value_or(std::string(s)); }

// Ranks per segment (0 literal, 1 variable, 2 greedy) when `resource` matches, else nullopt.
std::optional<std::vector<int>> Match(std::string_view resource,
                                      const std::vector<std::string_view>& segments,
                                      std::vector<std::pair<std::string, std::string>>* params) {
  auto parts = Split(resource);
  std::vector<int> ranks;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    bool variable = part.size() > 2 && part.front() == '{' && part.back() == '}';
    bool greedy = variable && part[part.size() - 2] == '+';
    if (greedy) {
      if (i + 1 != parts.size() || i >= segments.size()) return std::nullopt;
      std::string rest;
      for (size_t j = i; j < segments.size(); ++j)
        rest += (j == i ? "" : "/") + Decode(segments[j]);
      params->emplace_back(std::string(part.substr(1, part.size() - 3)), std::move(rest));
      ranks.push_back(2);
      return ranks;
    }
    if (i >= segments.size() || segments[i].empty()) return std::nullopt;
    if (variable) {
      params->emplace_back(std::string(part.substr(1, part.size() - 2)), Decode(segments[i]));
      ranks.push_back(1);
    } else {
      if (Decode(segments[i]) != part) return std::nullopt;
      ranks.push_back(0);
    }
  }
  if (parts.size() != segments.size()) return std::nullopt;
  return ranks;
}

}  // namespace

std::optional<ResourceMatch> MatchResource(const std::vector<std::string>& paths,
                                           std::string_view raw_path) {
  auto segments = Split(raw_path);
  std::optional<ResourceMatch> best;
  std::vector<int> best_ranks;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::vector<std::pair<std::string, std::string>> params;
    auto ranks = Match(paths[i], segments, &params);
    if (!ranks) continue;
    if (!best || *ranks < best_ranks) {
      best = ResourceMatch{i, std::move(params)};
      best_ranks = std::move(*ranks);
    }
  }
  return best;
}

}  // namespace nimbus::apigateway
