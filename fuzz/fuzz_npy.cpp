// Fuzz target: the .npy reader (workloads/npy.hpp) on the bytes of one file: parse_npy (the whole
// array, as read_npy and read_npy_heads read it) and parse_npy_header on every prefix length the
// slice reader (NpyFile) may hand it, which must agree with the whole-file parse.
//
// Every input must be read or rejected with core::InputError; anything else is a finding.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "workloads/npy.hpp"

namespace {
constexpr std::string_view kSource = "fuzz.npy";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  bool whole_ok = false;
  try {
    const pade::workloads::NpyArray a = pade::workloads::parse_npy(bytes, kSource);
    std::size_t count = 1;
    for (const std::size_t d : a.shape) count *= d;
    if (count != a.element_count()) __builtin_trap();
    for (const float x : a.data)
      if (!std::isfinite(x)) __builtin_trap();  // non-finite values are input errors
    whole_ok = true;
  } catch (const pade::core::InputError&) {
  }
  // The slice reader's view: the header from a prefix (12 bytes, then exactly the header's
  // extent), checked against the file size.
  for (const std::size_t prefix : {std::size_t{12}, size}) {
    try {
      const auto h =
          pade::workloads::parse_npy_header(bytes.first(std::min(prefix, size)), size, kSource);
      if (h.data_offset + h.element_count() * h.item_size() != size) __builtin_trap();
    } catch (const pade::core::InputError&) {
      if (whole_ok && prefix == size) __builtin_trap();  // the two readers disagree
    }
  }
  return 0;
}
