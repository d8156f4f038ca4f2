#include "services/lambda/runtime/runtimes.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "services/lambda/runtime/java_archive.h"

namespace nimbus::lambda::runtime {

namespace fs = std::filesystem;

namespace {

bool IsExecutable(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// Output of a short command run through the shell (first line, trimmed); "" on failure.
std::string CommandOutput(const std::string& command) {
  FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return {};
  std::array<char, 4096> buf{};
  std::string out;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  ::pclose(p);
  auto nl = out.find('\n');
  if (nl != std::string::npos) out.resize(nl);
  while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
  return out;
}

// "python3.12" → "3.12"; "" for other names.
std::string PythonVersion(std::string_view runtime) {
  if (runtime.substr(0, 6) != "python") return {};
  return std::string(runtime.substr(6));
}

// An installed python<version> that is a real binary: a pyenv version directory or a system
// location. Shims (pyenv, asdf) are skipped: they add tens of milliseconds to every start.
std::string FindPython(const std::string& version) {
  std::string exe = "python" + version;
  std::vector<std::string> roots;
  if (const char* r = std::getenv("PYENV_ROOT")) roots.push_back(std::string(r) + "/versions");
  if (const char* h = std::getenv("HOME")) roots.push_back(std::string(h) + "/.pyenv/versions");
  std::string best;
  for (const auto& root : roots) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root, ec)) {
      std::string name = e.path().filename().string();
      // "3.12.1" for "3.12", not "3.1.x" for "3.1".
      if (name.rfind(version + ".", 0) != 0 && name != version) continue;
      std::string candidate = e.path().string() + "/bin/" + exe;
      if (IsExecutable(candidate) && candidate > best) best = candidate;
    }
    if (!best.empty()) return best;
  }
  for (const char* dir : {"/usr/local/bin/", "/usr/bin/"}) {
    std::string candidate = std::string(dir) + exe;
    if (IsExecutable(candidate)) return fs::canonical(candidate).string();
  }
  return {};
}

// "17.0.15" → 17, "1.8.0_392" → 8 (the JAVA_VERSION line of a JDK's `release` file); 0 if none.
int JavaMajor(const fs::path& home) {
  std::ifstream in(home / "release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("JAVA_VERSION=", 0) != 0) continue;
    std::string v = line.substr(13);
    v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
    if (v.rfind("1.", 0) == 0) v = v.substr(2);
    int major = 0;
    for (char c : v) {
      if (c < '0' || c > '9') break;
      major = major * 10 + (c - '0');
    }
    return major;
  }
  return 0;
}

// "java21" → 21; 0 for other names.
int RequestedJavaMajor(std::string_view runtime) {
  if (runtime.substr(0, 4) != "java") return 0;
  int major = 0;
  for (char c : runtime.substr(4)) {
    if (c < '0' || c > '9') return 0;
    major = major * 10 + (c - '0');
  }
  return major;
}

}  // namespace

bool HasEmbeddedRuntimeFile(std::string_view path) {
  for (const EmbeddedRuntimeFile* f = kEmbeddedRuntimeFiles; f->path; ++f)
    if (path == f->path) return true;
  return false;
}

std::vector<JavaInstallation> FindJavaInstallations() {
  std::vector<fs::path> homes;
  if (const char* h = std::getenv("JAVA_HOME")) homes.emplace_back(h);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/jvm", ec)) homes.push_back(e.path());
  // The `java` on PATH, through its symbolic links: <home>/bin/java.
  for (const char* dir : {"/usr/local/bin/java", "/usr/bin/java"}) {
    fs::path real = fs::canonical(dir, ec);
    if (!ec) homes.push_back(real.parent_path().parent_path());
  }
  std::vector<JavaInstallation> out;
  for (const auto& home : homes) {
    std::string java = (home / "bin" / "java").string();
    if (!IsExecutable(java)) continue;
    JavaInstallation j{fs::canonical(java, ec).string(), JavaMajor(home)};
    if (ec || j.major == 0) continue;
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const JavaInstallation& o) { return o.java == j.java; });
    if (!seen) out.push_back(std::move(j));
  }
  return out;
}

std::string ChooseJava(std::string_view runtime, const std::vector<JavaInstallation>& found) {
  int want = RequestedJavaMajor(runtime);
  const JavaInstallation* best = nullptr;
  for (const auto& j : found) {
    if (j.major == want) return j.java;
    if (j.major > want && (!best || j.major > best->major)) best = &j;
  }
  return best ? best->java : std::string();
}

int JavaHeapMb(int memory_mb) {
  int reserve = std::max(64, memory_mb / 8);
  return std::max(32, memory_mb - reserve);
}

bool WriteEmbeddedRuntimes(const std::string& dir, std::string* error) {
  for (const EmbeddedRuntimeFile* f = kEmbeddedRuntimeFiles; f->path; ++f) {
    fs::path target = fs::path(dir) / f->path;
    std::string_view content(f->data, f->size);
    {
      std::ifstream in(target, std::ios::binary);
      if (in) {
        std::stringstream ss;
        ss << in.rdbuf();
        if (ss.str() == content) continue;
      }
    }
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    fs::path tmp = target;
    tmp += ".tmp";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      *error = "cannot write " + tmp.string();
      return false;
    }
    fs::rename(tmp, target, ec);
    if (ec) {
      *error = "cannot write " + target.string() + ": " + ec.message();
      return false;
    }
  }
  return true;
}

RuntimeFamily FamilyOf(std::string_view runtime) {
  if (runtime.substr(0, 7) == "python3") return RuntimeFamily::kPython;
  if (runtime.substr(0, 6) == "nodejs") return RuntimeFamily::kNode;
  if (runtime.substr(0, 4) == "ruby") return RuntimeFamily::kRuby;
  if (RequestedJavaMajor(runtime) >= 17) return RuntimeFamily::kJava;
  if (runtime.substr(0, 8) == "provided") return RuntimeFamily::kProvided;
  return RuntimeFamily::kUnknown;
}

std::string RuntimeCatalog::Resolve(std::string_view runtime) {
  switch (FamilyOf(runtime)) {
    case RuntimeFamily::kPython: {
      std::string exact = FindPython(PythonVersion(runtime));
      if (!exact.empty()) return exact;
      std::string python = CommandOutput("python3 -c 'import sys; print(sys.executable)'");
      return IsExecutable(python) ? python : std::string();
    }
    case RuntimeFamily::kNode: {
      std::string node = CommandOutput("node -e 'process.stdout.write(process.execPath)'");
      return IsExecutable(node) ? node : std::string();
    }
    case RuntimeFamily::kRuby: {
      // Debian's /usr/bin/ruby is a link to ruby3.X: run the real binary.
      std::string ruby = CommandOutput("command -v ruby");
      if (!IsExecutable(ruby)) return {};
      std::error_code ec;
      auto real = fs::canonical(ruby, ec);
      return ec ? ruby : real.string();
    }
    case RuntimeFamily::kJava:
      return ChooseJava(runtime, FindJavaInstallations());
    default:
      return {};
  }
}

std::string RuntimeCatalog::Interpreter(std::string_view runtime) {
  // One interpreter per family for node and ruby (one is installed on a machine, as a rule).
  std::string key = FamilyOf(runtime) == RuntimeFamily::kNode   ? "nodejs"
                    : FamilyOf(runtime) == RuntimeFamily::kRuby ? "ruby"
                                                                : std::string(runtime);
  std::lock_guard lock(mu_);
  auto it = interpreters_.find(key);
  if (it != interpreters_.end()) return it->second;
  std::string path = Resolve(runtime);
  interpreters_[key] = path;
  return path;
}

bool RuntimeCatalog::Command(std::string_view runtime, const SandboxPaths& paths,
                             const std::string& host_code_dir, const std::string& host_opt_dir,
                             int memory_mb, RuntimeCommand* out, std::string* error) {
  switch (FamilyOf(runtime)) {
    case RuntimeFamily::kPython: {
      std::string python = Interpreter(runtime);
      if (python.empty()) {
        *error = "no Python interpreter found for " + std::string(runtime);
        return false;
      }
      // -S: bootstrap.py adds site-packages itself, without running .pth import lines.
      out->argv = {python, "-S", paths.runtime_dir + "/python/bootstrap.py"};
      out->env = {{"PYTHONUNBUFFERED", "1"}, {"PYTHONDONTWRITEBYTECODE", "1"}};
      // Layers' Python packages, where AWS's runtime looks for them (under /opt, or the merged
      // layer directory itself without a sandbox).
      if (!paths.opt_dir.empty())
        out->env.emplace_back("PYTHONPATH", paths.opt_dir + "/python:" + paths.opt_dir +
                                                "/python/lib/" + std::string(runtime) +
                                                "/site-packages");
      return true;
    }
    case RuntimeFamily::kNode: {
      std::string node = Interpreter(runtime);
      if (node.empty()) {
        *error = "no Node.js interpreter found for " + std::string(runtime);
        return false;
      }
      out->argv = {node, paths.runtime_dir + "/node/bootstrap.mjs"};
      std::string node_path;
      if (!paths.opt_dir.empty()) node_path = paths.opt_dir + "/nodejs/node_modules:";
      node_path += paths.runtime_dir + "/node/node_modules:" + paths.task_root;
      out->env = {{"NODE_PATH", node_path}};
      out->runtime_api_socket = true;
      return true;
    }
    case RuntimeFamily::kRuby: {
      std::string ruby = Interpreter(runtime);
      if (ruby.empty()) {
        *error = "no Ruby interpreter found for " + std::string(runtime);
        return false;
      }
      out->argv = {ruby, paths.runtime_dir + "/ruby/bootstrap.rb"};
      // Layers' Ruby code and gems, where AWS's runtime looks for them.
      if (!paths.opt_dir.empty()) {
        out->env.emplace_back("RUBYLIB", paths.opt_dir + "/ruby/lib");
        out->env.emplace_back("GEM_PATH", paths.opt_dir + "/ruby/gems");
      }
      return true;
    }
    case RuntimeFamily::kJava: {
      if (!HasEmbeddedRuntimeFile(kJavaRuntimeJar)) {
        *error = "the " + std::string(runtime) +
                 " runtime is unavailable: nimbus was built without a JDK (no javac), so it "
                 "has no Java runtime client";
        return false;
      }
      std::string java = Interpreter(runtime);
      if (java.empty()) {
        *error = "no Java " + std::string(runtime.substr(4)) + " or newer found for " +
                 std::string(runtime) + " (looked in JAVA_HOME, /usr/lib/jvm and the java on PATH)";
        return false;
      }
      out->argv = {java};
      for (const auto& flag : JavaStartFlags()) out->argv.push_back(flag);
      out->argv.insert(out->argv.end(),
                       {"-Xmx" + std::to_string(JavaHeapMb(memory_mb)) + "m", "-cp",
                        paths.runtime_dir + "/" + std::string(kJavaRuntimeJar),
                        "nimbus.lambda.Bootstrap", paths.opt_dir});
      return true;
    }
    case RuntimeFamily::kProvided: {
      if (IsExecutable(host_code_dir + "/bootstrap")) {
        out->argv = {paths.task_root + "/bootstrap"};
        return true;
      }
      if (!host_opt_dir.empty() && IsExecutable(host_opt_dir + "/bootstrap") &&
          !paths.opt_dir.empty()) {
        out->argv = {paths.opt_dir + "/bootstrap"};
        return true;
      }
      *error =
          "Couldn't find valid bootstrap(s): [" + paths.task_root + "/bootstrap /opt/bootstrap]";
      return false;
    }
    default:
      *error = "The runtime " + std::string(runtime) + " is not supported by nimbus";
      return false;
  }
}

}  // namespace nimbus::lambda::runtime
