#include "core/error.hpp"

#include <algorithm>
#include <vector>

namespace pade::core {

std::string SourceLocation::str() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    out.append(":").append(std::to_string(line));
    if (column > 0) out.append(":").append(std::to_string(column));
  }
  return out;
}

namespace {
std::string compose(const SourceLocation& where, const std::string& key_path,
                    const std::string& message) {
  std::string out = where.str() + ": error: ";
  if (!key_path.empty()) out.append("'").append(excerpt(key_path, 200)).append("': ");
  // A message quotes input only in excerpts; this cap is the last line of defence should one
  // quote more (a file's content must never be echoed whole).
  constexpr std::size_t kMaxMessage = 4000;
  out.append(message, 0, std::min(message.size(), kMaxMessage));
  if (message.size() > kMaxMessage) out.append("...");
  return out;
}
}  // namespace

InputError::InputError(SourceLocation where, std::string key_path, const std::string& message)
    : std::runtime_error(compose(where, key_path, message)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      message_(message) {}

InputError::InputError(const std::string& message)
    : std::runtime_error("error: " + message), message_(message) {}

void throw_file_error(std::string_view source, const std::string& message) {
  throw InputError(SourceLocation{std::string(source), 0, 0}, "", message);
}

std::string excerpt(std::string_view text, std::size_t max_bytes) {
  std::string_view line = text.substr(0, text.find_first_of("\r\n"));
  if (line.size() == text.size() && line.size() <= max_bytes) return std::string(text);
  if (line.size() > max_bytes) {
    std::size_t cut = max_bytes;
    // Do not split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut);
  }
  return std::string(line) + "... (" + std::to_string(text.size()) + " characters in all)";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view name, std::span<const std::string> known) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& k : known)
    if (const auto d = edit_distance(name, k); d < best_d) best_d = d, best = k;
  if (best_d > std::max<std::size_t>(2, name.size() / 3)) return {};
  return " (did you mean '" + best + "'?)";
}

NameOrigin NameOrigin::option(std::string name) {
  NameOrigin o;
  o.key_path = std::move(name);
  return o;
}

InputError unknown_name(std::string_view what, std::string_view name,
                        std::span<const std::string> known, const NameOrigin& origin) {
  std::string list;
  for (const auto& k : known) list.append(list.empty() ? "" : ", ").append(k);
  // Appended, not "'" + excerpt(...): GCC 12 warns (-Wrestrict) about the inlined insert.
  std::string found = "'";
  found.append(excerpt(name, 200)).append("'").append(did_you_mean(name, known));
  found.append(", expected one of: ").append(list);
  if (!origin.where.file.empty())
    return InputError(origin.where, origin.key_path, "found " + found);
  std::string message = origin.key_path.empty() ? std::string() : origin.key_path + ": ";
  return InputError(message.append("unknown ").append(what).append(" ").append(found));
}

}  // namespace pade::core
