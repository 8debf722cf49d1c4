#include "core/quant.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.hpp"

namespace pade::core {

std::string_view to_string(Granularity g) {
  switch (g) {
    case Granularity::per_tensor:
      return "per_tensor";
    case Granularity::per_head:
      return "per_head";
    case Granularity::per_token:
      return "per_token";
    case Granularity::per_group:
      return "per_group";
  }
  return "?";
}

Granularity granularity_from_string(std::string_view name) {
  for (const Granularity g : {Granularity::per_tensor, Granularity::per_head,
                              Granularity::per_token, Granularity::per_group}) {
    if (to_string(g) == name) return g;
  }
  throw InputError("unknown quantization granularity '" + std::string(name) +
                   "' (allowed: per_tensor, per_head, per_token, per_group)");
}

namespace {

// Uniform symmetric scale: the largest magnitude maps exactly onto the largest code.
double uniform_scale(double max_abs, std::int32_t qmax) {
  return max_abs > 0.0 ? max_abs / qmax : 1.0;
}

// MX-style shared scale: the smallest power of two with max_abs / 2^e <= qmax, so no element
// clips. Computed with exact ldexp comparisons rather than trusting log2 rounding.
double power_of_two_scale(double max_abs, std::int32_t qmax) {
  if (!(max_abs > 0.0)) return 1.0;
  const double ratio = max_abs / qmax;
  int e = static_cast<int>(std::ceil(std::log2(ratio)));
  while (std::ldexp(1.0, e) < ratio) ++e;
  while (std::ldexp(1.0, e - 1) >= ratio) --e;
  return std::ldexp(1.0, e);
}

std::int16_t encode(float x, double scale, std::int32_t qmax) {
  // std::round is half-away-from-zero: symmetric, so quantize(-x) == -quantize(x).
  const double v = std::round(static_cast<double>(x) / scale);
  // Saturating: beyond the scale (±inf too) is ±qmax. NaN has no code; converting it to an
  // integer would be undefined behaviour, so it reads as 0. (Readers of user data reject
  // non-finite values; this keeps the arithmetic defined whatever reaches it.)
  if (std::isnan(v)) return 0;
  return static_cast<std::int16_t>(
      std::clamp(v, static_cast<double>(-qmax), static_cast<double>(qmax)));
}

}  // namespace

float QuantizedMatrix::group_scale(std::size_t r, std::size_t g) const {
  switch (spec_.granularity) {
    case Granularity::per_tensor:
    case Granularity::per_head:
      return scales_[0];
    case Granularity::per_token:
      return scales_[r];
    case Granularity::per_group:
      return scales_[r * groups_per_row_ + g];
  }
  return scales_[0];
}

float QuantizedMatrix::scale(std::size_t r, std::size_t c) const {
  return group_scale(r, spec_.granularity == Granularity::per_group ? c / spec_.group_size : 0);
}

Matrix QuantizedMatrix::dequantize() const {
  Matrix m(rows_, cols_);
  for (std::size_t r = 0; r < rows_; ++r)
    for (std::size_t c = 0; c < cols_; ++c) m.at(r, c) = dequantized(r, c);
  return m;
}

std::vector<std::int8_t> QuantizedMatrix::to_int8() const {
  if (spec_.bits > 8) throw std::logic_error("QuantizedMatrix::to_int8: more than 8 bits");
  std::vector<std::int8_t> out(codes_.size());
  std::transform(codes_.begin(), codes_.end(), out.begin(),
                 [](std::int16_t v) { return static_cast<std::int8_t>(v); });
  return out;
}

QuantizedMatrix quantize(const Matrix& m, const QuantSpec& spec) {
  if (spec.bits < 4 || spec.bits > 16)
    throw InputError("quantize: bits must be in 4..16, got " + std::to_string(spec.bits));
  if (spec.granularity == Granularity::per_group && spec.group_size == 0)
    throw InputError("quantize: group_size must be positive");

  QuantizedMatrix q;
  q.rows_ = m.rows();
  q.cols_ = m.cols();
  q.spec_ = spec;
  q.codes_.resize(m.rows() * m.cols());
  const std::int32_t qmax = q.max_code();

  // Over the finite values: one infinity would make the scale infinite and every code 0 (or
  // NaN); it saturates to the largest code instead.
  auto max_abs = [](std::span<const float> xs) {
    double a = 0.0;
    for (const float x : xs)
      if (std::isfinite(x)) a = std::max(a, std::fabs(static_cast<double>(x)));
    return a;
  };

  switch (spec.granularity) {
    case Granularity::per_tensor:
    case Granularity::per_head: {
      const double s = uniform_scale(max_abs(m.data()), qmax);
      q.scales_ = {static_cast<float>(s)};
      break;
    }
    case Granularity::per_token: {
      q.scales_.resize(m.rows());
      for (std::size_t r = 0; r < m.rows(); ++r)
        q.scales_[r] = static_cast<float>(uniform_scale(max_abs(m.row(r)), qmax));
      break;
    }
    case Granularity::per_group: {
      q.groups_per_row_ = (m.cols() + spec.group_size - 1) / spec.group_size;
      q.scales_.resize(m.rows() * q.groups_per_row_);
      for (std::size_t r = 0; r < m.rows(); ++r) {
        const auto row = m.row(r);
        for (std::size_t g = 0; g < q.groups_per_row_; ++g) {
          const std::size_t lo = g * spec.group_size;
          const std::size_t n = std::min(spec.group_size, m.cols() - lo);
          q.scales_[r * q.groups_per_row_ + g] =
              static_cast<float>(power_of_two_scale(max_abs(row.subspan(lo, n)), qmax));
        }
      }
      break;
    }
  }
  // Encode with the float scale actually stored, so dequantize() and the model agree exactly.
  for (std::size_t r = 0; r < m.rows(); ++r)
    for (std::size_t c = 0; c < m.cols(); ++c)
      q.codes_[r * m.cols() + c] = encode(m.at(r, c), q.scale(r, c), qmax);
  return q;
}

}  // namespace pade::core
