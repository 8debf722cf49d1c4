#pragma once
// Dense float matrices and the Q/K/V of one attention head: the currency between trace sources
// (generator, .npy files, the stories260K forward pass) and the functional model.
#include <cstddef>
#include <span>
#include <stdexcept>
#include <vector>

namespace pade::core {

/// Row-major float matrix. Rows are tokens, columns are head dimensions.
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(rows * cols, 0.0f) {}
  Matrix(std::size_t rows, std::size_t cols, std::vector<float> data)
      : rows_(rows), cols_(cols), data_(std::move(data)) {
    if (data_.size() != rows_ * cols_) throw std::invalid_argument("Matrix: data size mismatch");
  }

  [[nodiscard]] std::size_t rows() const { return rows_; }
  [[nodiscard]] std::size_t cols() const { return cols_; }
  [[nodiscard]] std::span<float> row(std::size_t r) { return {data_.data() + r * cols_, cols_}; }
  [[nodiscard]] std::span<const float> row(std::size_t r) const {
    return {data_.data() + r * cols_, cols_};
  }
  [[nodiscard]] float& at(std::size_t r, std::size_t c) { return data_[r * cols_ + c]; }
  [[nodiscard]] float at(std::size_t r, std::size_t c) const { return data_[r * cols_ + c]; }
  [[nodiscard]] std::span<float> data() { return data_; }
  [[nodiscard]] std::span<const float> data() const { return data_; }

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<float> data_;
};

/// Q, K and V of one attention head. q may have fewer rows than k/v (decode, sampled rows);
/// `query_positions[i]` is the token position of query row i (for the causal mask), and
/// `additive_bias_slope` an ALiBi slope (0 = none): bias(i, j) = -slope * (pos_i - j).
struct AttentionHead {
  Matrix q;
  Matrix k;
  Matrix v;
  std::vector<std::size_t> query_positions;
  bool causal = true;
  double additive_bias_slope = 0.0;
};

}  // namespace pade::core
