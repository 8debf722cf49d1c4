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

}  // namespace pade::core
