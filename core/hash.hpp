#pragma once
// Content hashing for configurations and cache keys: FNV-1a 64-bit over a canonical text.
// Not cryptographic; stable across platforms and runs, which is what identity needs.
#include <cstdint>
#include <string>
#include <string_view>

namespace pade::core {

[[nodiscard]] constexpr std::uint64_t fnv1a64(std::string_view text,
                                              std::uint64_t seed = 0xcbf29ce484222325ULL) {
  std::uint64_t h = seed;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// 16 lower-case hex digits.
[[nodiscard]] std::string hex64(std::uint64_t v);

[[nodiscard]] inline std::string content_hash(std::string_view text) {
  return hex64(fnv1a64(text));
}

}  // namespace pade::core
