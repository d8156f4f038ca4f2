#include "services/apigatewayv2/route_match.h"

#include "core/common/encoding.h"

namespace nimbus::apigatewayv2 {

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
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

std::string Decode(std::string_view s) {
  auto d = UriDecode(s);
  return d ? std::move(*d) : std::string(s);
}

enum Rank { kGreedy = 0, kVariable = 1, kLiteral = 2 };

// Matches one route path; fills `ranks` (one per template segment) and `params`.
bool MatchPath(std::string_view route_path, const std::vector<std::string>& request,
               std::vector<int>* ranks, std::vector<std::pair<std::string, std::string>>* params) {
  auto tmpl = Segments(route_path);
  size_t i = 0;
  for (; i < tmpl.size(); ++i) {
    std::string_view seg = tmpl[i];
    bool variable = seg.size() >= 3 && seg.front() == '{' && seg.back() == '}';
    if (variable && seg[seg.size() - 2] == '+') {
      if (i >= request.size()) return false;  // a greedy variable takes at least one segment
      std::string rest;
      for (size_t j = i; j < request.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest += request[j];
      }
      params->emplace_back(std::string(seg.substr(1, seg.size() - 3)), std::move(rest));
      ranks->push_back(kGreedy);
      return true;
    }
    if (i >= request.size()) return false;
    if (variable) {
      if (request[i].empty()) return false;
      params->emplace_back(std::string(seg.substr(1, seg.size() - 2)), request[i]);
      ranks->push_back(kVariable);
    } else {
      if (seg != request[i]) return false;
      ranks->push_back(kLiteral);
    }
  }
  return i == request.size();
}

}  // namespace

std::string_view RoutePath(std::string_view route_key) {
  auto space = route_key.find(' ');
  return space == std::string_view::npos ? route_key : route_key.substr(space + 1);
}

std::optional<RouteMatch> MatchRoute(const std::vector<std::string>& route_keys,
                                     std::string_view method, std::string_view raw_path) {
  std::vector<std::string> request;
  for (auto seg : Segments(raw_path)) request.push_back(Decode(seg));
  std::optional<RouteMatch> best;
  std::vector<int> best_ranks;
  bool best_any = true;
  std::optional<size_t> default_route;
  for (size_t idx = 0; idx < route_keys.size(); ++idx) {
    std::string_view key = route_keys[idx];
    if (key == "$default") {
      default_route = idx;
      continue;
    }
    auto space = key.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view route_method = key.substr(0, space);
    bool any = route_method == "ANY";
    if (!any && route_method != method) continue;
    std::vector<int> ranks;
    RouteMatch m;
    m.index = idx;
    if (!MatchPath(key.substr(space + 1), request, &ranks, &m.path_parameters)) continue;
    bool better = !best || ranks > best_ranks || (ranks == best_ranks && best_any && !any);
    if (better) {
      best = std::move(m);
      best_ranks = std::move(ranks);
      best_any = any;
    }
  }
  if (best) return best;
  if (default_route) return RouteMatch{*default_route, {}};
  return std::nullopt;
}

}  // namespace nimbus::apigatewayv2
