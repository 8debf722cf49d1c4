#include "core/bitplanes.hpp"

#include <algorithm>
#include <stdexcept>

namespace pade::core {

BitPlanes::BitPlanes(std::span<const std::int16_t> codes, std::size_t rows, std::size_t cols,
                     int bits)
    : rows_(rows), cols_(cols), bits_(bits), words_((cols + 63) / 64) {
  if (bits < 1 || bits > 16) throw std::invalid_argument("BitPlanes: bits must be in 1..16");
  if (codes.size() != rows * cols) throw std::invalid_argument("BitPlanes: code count mismatch");
  data_.assign(static_cast<std::size_t>(bits) * rows * words_, 0);
  const std::int32_t lo = -(std::int32_t{1} << (bits - 1));
  const std::int32_t hi = (std::int32_t{1} << (bits - 1)) - 1;
  // One 64-dim word of every plane at a time, assembled in registers (this runs for every
  // simulated head: Q and K of a 4k-token head are 2 x 4M bits).
  std::uint64_t word[16];
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t w = 0; w < words_; ++w) {
      std::fill(word, word + bits, std::uint64_t{0});
      const std::size_t c1 = std::min(cols, w * 64 + 64);
      for (std::size_t c = w * 64; c < c1; ++c) {
        const std::int32_t v = codes[r * cols + c];
        if (v < lo || v > hi)
          throw std::invalid_argument("BitPlanes: code out of range for bit width");
        const auto u = static_cast<std::uint32_t>(v);
        for (int t = 0; t < bits; ++t) word[t] |= std::uint64_t{(u >> t) & 1u} << (c % 64);
      }
      for (int t = 0; t < bits; ++t) data_[offset(t, r) + w] = word[t];
    }
  }
}

std::int32_t BitPlanes::reconstruct(std::size_t r, std::size_t c) const {
  std::int64_t v = 0;
  for (int t = 0; t < bits_; ++t)
    if (bit(t, r, c)) v += plane_weight(t, bits_);
  return static_cast<std::int32_t>(v);
}

}  // namespace pade::core
