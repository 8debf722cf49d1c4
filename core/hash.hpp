#pragma once
// Content hashing for configurations and cache keys: FNV-1a 64-bit over a canonical text.
// Not cryptographic; stable across platforms and runs, which is what identity needs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
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

/// Streaming 64-bit content hash of byte data (dump files): four independent multiply-xorshift
/// lanes over 8-byte little-endian words, so it runs near memory speed where byte-wise FNV-1a
/// would take seconds per gigabyte. Not cryptographic; the same bytes, however they are split
/// into update() calls, give the same digest on every platform.
class ByteHasher {
 public:
  void update(std::span<const std::byte> bytes);
  void update(std::string_view text);
  [[nodiscard]] std::uint64_t digest() const;

 private:
  static constexpr std::size_t kBlock = 32;
  void block(const std::byte* p);

  std::array<std::uint64_t, 4> lanes_{0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                      0x165667b19e3779f9ULL, 0x85ebca77c2b2ae63ULL};
  std::array<std::byte, kBlock> pending_{};
  std::size_t pending_size_ = 0;
  std::uint64_t length_ = 0;
};

}  // namespace pade::core
