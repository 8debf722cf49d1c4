#include "core/hash.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace pade::core {

std::string hex64(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[v & 0xF];
    v >>= 4;
  }
  return out;
}

namespace {
constexpr std::uint64_t kMul = 0x9fb21c651e98df25ULL;  // odd, well-mixed multiplier

std::uint64_t load64(const std::byte* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) {
    std::uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r = (r << 8) | ((w >> (8 * i)) & 0xff);
    w = r;
  }
  return w;
}

std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 32;
  h *= kMul;
  h ^= h >> 29;
  return h;
}
}  // namespace

void ByteHasher::block(const std::byte* p) {
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    std::uint64_t h = (lanes_[i] ^ load64(p + 8 * i)) * kMul;
    lanes_[i] = h ^ (h >> 31);
  }
}

void ByteHasher::update(std::span<const std::byte> bytes) {
  length_ += bytes.size();
  std::size_t at = 0;
  if (pending_size_ > 0) {
    const std::size_t take = std::min(kBlock - pending_size_, bytes.size());
    std::memcpy(pending_.data() + pending_size_, bytes.data(), take);
    pending_size_ += take;
    at = take;
    if (pending_size_ < kBlock) return;
    block(pending_.data());
    pending_size_ = 0;
  }
  for (; at + kBlock <= bytes.size(); at += kBlock) block(bytes.data() + at);
  if (at < bytes.size()) {
    std::memcpy(pending_.data(), bytes.data() + at, bytes.size() - at);
    pending_size_ = bytes.size() - at;
  }
}

void ByteHasher::update(std::string_view text) {
  update(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

std::uint64_t ByteHasher::digest() const {
  ByteHasher h = *this;
  // The tail, zero-padded to a block; the length (folded in below) tells tails apart.
  if (h.pending_size_ > 0) {
    std::memset(h.pending_.data() + h.pending_size_, 0, kBlock - h.pending_size_);
    h.block(h.pending_.data());
  }
  std::uint64_t out = mix(length_ ^ 0x27d4eb2f165667c5ULL);
  for (const std::uint64_t lane : h.lanes_) out = mix(out ^ mix(lane)) * kMul;
  return mix(out);
}

}  // namespace pade::core
