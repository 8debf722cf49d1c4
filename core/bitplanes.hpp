#pragma once
// Two's-complement bit-plane decomposition of quantized keys, in the bit-plane-first layout the
// PADE hardware reads from DRAM: plane p-1 (the sign plane) of every key first, then plane p-2 of
// every key, ... down to plane 0. Each key's plane is packed 64 dimensions per uint64 word
// (dimension d is bit d%64 of word d/64; padding bits beyond the last dimension are zero).
//
// Value of a p-bit code k: k = -b_{p-1} 2^{p-1} + sum_{t<p-1} b_t 2^t, so plane p-1 has weight
// -2^{p-1} and plane t < p-1 has weight 2^t (see plane_weight()).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/quant.hpp"

namespace pade::core {

/// Weight of bit plane t of a p-bit two's-complement number.
[[nodiscard]] constexpr std::int64_t plane_weight(int t, int bits) {
  return t == bits - 1 ? -(std::int64_t{1} << t) : (std::int64_t{1} << t);
}

/// Bit t of the p-bit two's-complement code v (v in [-2^{p-1}, 2^{p-1})).
[[nodiscard]] constexpr bool code_bit(std::int32_t v, int t) {
  return ((static_cast<std::uint32_t>(v) >> t) & 1u) != 0;
}

class BitPlanes {
 public:
  BitPlanes() = default;
  /// Decomposes `rows` codes of `cols` dimensions each (row-major) into `bits` planes.
  BitPlanes(std::span<const std::int16_t> codes, std::size_t rows, std::size_t cols, int bits);
  explicit BitPlanes(const QuantizedMatrix& m)
      : BitPlanes(m.codes(), m.rows(), m.cols(), m.bits()) {}

  [[nodiscard]] std::size_t rows() const { return rows_; }
  [[nodiscard]] std::size_t cols() const { return cols_; }
  [[nodiscard]] int bits() const { return bits_; }
  [[nodiscard]] std::size_t words_per_plane() const { return words_; }

  /// Packed plane t (0 = LSB, bits-1 = sign) of row r: words_per_plane() words.
  [[nodiscard]] std::span<const std::uint64_t> plane(int t, std::size_t r) const {
    return {data_.data() + offset(t, r), words_};
  }
  [[nodiscard]] bool bit(int t, std::size_t r, std::size_t c) const {
    return ((plane(t, r)[c / 64] >> (c % 64)) & 1u) != 0;
  }
  /// Number of ones among the row's cols() dimensions in plane t.
  [[nodiscard]] int ones(int t, std::size_t r) const {
    int n = 0;
    for (const std::uint64_t w : plane(t, r)) n += std::popcount(w);
    return n;
  }
  /// Rebuilds the code from its planes (exactness check).
  [[nodiscard]] std::int32_t reconstruct(std::size_t r, std::size_t c) const;
  /// The whole plane-major buffer, in the order the hardware streams it.
  [[nodiscard]] std::span<const std::uint64_t> raw() const { return data_; }

 private:
  // Plane-major: the sign plane is stored first (MSB-first rounds read contiguous memory).
  [[nodiscard]] std::size_t offset(int t, std::size_t r) const {
    return (static_cast<std::size_t>(bits_ - 1 - t) * rows_ + r) * words_;
  }

  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  int bits_ = 0;
  std::size_t words_ = 0;
  std::vector<std::uint64_t> data_;
};

}  // namespace pade::core
