#pragma once
// Symmetric INT-n quantization (n = 4..16) of Q/K operands with the scales kept, so the functional
// model can move exact integer scores back into the logit domain.
//
// Granularities:
//   per_tensor  one scale for the whole matrix;
//   per_head    the same as per_tensor for one head's matrix (kept as its own enum value so
//               configurations can name it; a multi-head tensor would differ);
//   per_token   one scale per row (token);
//   per_group   MX-style: groups of `group_size` (default 32) consecutive elements along a row
//               share one power-of-two scale.
// Quantized value x_q = clamp(round_half_away(x / s), -(2^{n-1}-1), 2^{n-1}-1): symmetric, the
// most negative code -2^{n-1} is never produced (so negation and |x| stay representable).
// Non-finite inputs are defined too: scales come from the finite values, ±inf saturates to the
// largest code, NaN quantizes to 0.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/tensor.hpp"

namespace pade::core {

enum class Granularity { per_tensor, per_head, per_token, per_group };

[[nodiscard]] std::string_view to_string(Granularity g);
/// Throws InputError on an unknown name.
[[nodiscard]] Granularity granularity_from_string(std::string_view name);

struct QuantSpec {
  int bits = 8;  ///< n, 4..16
  Granularity granularity = Granularity::per_tensor;
  std::size_t group_size = 32;  ///< elements per group along a row (per_group only)
};

/// A quantized row-major matrix: int16 codes (enough for n <= 16) plus the scales.
class QuantizedMatrix {
 public:
  QuantizedMatrix() = default;

  [[nodiscard]] std::size_t rows() const { return rows_; }
  [[nodiscard]] std::size_t cols() const { return cols_; }
  [[nodiscard]] int bits() const { return spec_.bits; }
  [[nodiscard]] const QuantSpec& spec() const { return spec_; }
  [[nodiscard]] Granularity granularity() const { return spec_.granularity; }
  /// Largest code magnitude, 2^{n-1} - 1.
  [[nodiscard]] std::int32_t max_code() const { return (std::int32_t{1} << (spec_.bits - 1)) - 1; }

  [[nodiscard]] std::int16_t at(std::size_t r, std::size_t c) const {
    return codes_[r * cols_ + c];
  }
  [[nodiscard]] std::span<const std::int16_t> row(std::size_t r) const {
    return {codes_.data() + r * cols_, cols_};
  }
  [[nodiscard]] std::span<const std::int16_t> codes() const { return codes_; }

  /// Number of scale groups along one row: 1 unless per_group.
  [[nodiscard]] std::size_t groups_per_row() const { return groups_per_row_; }
  /// Elements per scale group along a row (cols() unless per_group).
  [[nodiscard]] std::size_t group_width() const {
    return spec_.granularity == Granularity::per_group ? spec_.group_size : cols_;
  }
  /// Scale of group g of row r (g < groups_per_row()).
  [[nodiscard]] float group_scale(std::size_t r, std::size_t g) const;
  /// Scale that multiplies the code at (r, c).
  [[nodiscard]] float scale(std::size_t r, std::size_t c) const;
  [[nodiscard]] std::span<const float> scales() const { return scales_; }

  [[nodiscard]] float dequantized(std::size_t r, std::size_t c) const {
    return static_cast<float>(at(r, c)) * scale(r, c);
  }
  [[nodiscard]] Matrix dequantize() const;
  /// int8 fast path for n <= 8 (throws std::logic_error otherwise).
  [[nodiscard]] std::vector<std::int8_t> to_int8() const;

  friend QuantizedMatrix quantize(const Matrix& m, const QuantSpec& spec);

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  QuantSpec spec_{};
  std::size_t groups_per_row_ = 1;
  std::vector<std::int16_t> codes_;
  std::vector<float> scales_;  // 1 (tensor/head), rows (token) or rows*groups_per_row (group)
};

/// Quantizes `m`; throws InputError on bits outside 4..16 or group_size == 0.
[[nodiscard]] QuantizedMatrix quantize(const Matrix& m, const QuantSpec& spec);

}  // namespace pade::core
