#include "core/json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace pade::core {

std::string json_escape(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

namespace {

/// `digits` (no point, no trailing zeros) times 10^`exp` as printf's "%.*g" with precision
/// `precision` >= digits.size() prints it (trailing zeros and a bare point removed).
void append_g(std::string& out, std::string_view digits, int exp, int precision) {
  const int n = static_cast<int>(digits.size());
  if (exp < -4 || exp >= precision) {
    out += digits[0];
    if (n > 1) out.append(".").append(digits.substr(1));
    const int magnitude = exp < 0 ? -exp : exp;  // at most 324
    out.append(exp < 0 ? "e-" : "e+");
    if (magnitude < 10) out += '0';
    char e[8];
    const auto r = std::to_chars(e, e + sizeof e, magnitude);
    out.append(e, r.ptr);
  } else if (exp < 0) {
    out.append("0.").append(static_cast<std::size_t>(-exp - 1), '0').append(digits);
  } else if (n <= exp + 1) {
    out.append(digits).append(static_cast<std::size_t>(exp + 1 - n), '0');
  } else {
    out.append(digits.substr(0, static_cast<std::size_t>(exp + 1)))
        .append(".")
        .append(digits.substr(static_cast<std::size_t>(exp + 1)));
  }
}

/// A number as std::to_chars writes it in scientific form ("-d.ddde+XX"): its significant digits
/// (without trailing zeros), decimal exponent and sign.
struct Scientific {
  char digits[24] = {};
  std::size_t count = 0;
  int exp = 0;
  bool negative = false;

  Scientific(double v, std::optional<int> precision) {
    char buf[40];
    const auto r =
        precision
            ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, *precision)
            : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const char* p = buf;
    negative = *p == '-';
    if (negative) ++p;
    for (; p < r.ptr && *p != 'e'; ++p)
      if (*p != '.') digits[count++] = *p;
    while (count > 1 && digits[count - 1] == '0') --count;
    if (p < r.ptr) std::from_chars(p + 1 + (p[1] == '+'), r.ptr, exp);
  }
  [[nodiscard]] std::string_view view() const { return {digits, count}; }
};

/// Subnormals: their round-trip interval is wide compared with the value, so the shortest digits
/// need not be the correctly rounded ones; each precision is tried as printf would round it.
void append_subnormal(std::string& out, double v) {
  std::string text;
  for (int precision = 6; precision <= 17; ++precision) {
    const Scientific rounded(v, precision - 1);
    text.clear();
    if (rounded.negative) text += '-';
    append_g(text, rounded.view(), rounded.exp, precision);
    double back = 0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    if (back == v) break;
  }
  out += text;
}

/// json_number(v) appended to `out`.
void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  if (v != 0 && std::fabs(v) < std::numeric_limits<double>::min()) {
    append_subnormal(out, v);
    return;
  }
  const Scientific shortest(v, std::nullopt);
  if (shortest.negative) out += '-';
  if (shortest.count == 16) {
    const Scientific rounded(v, 15);
    if (rounded.view() != shortest.view() || rounded.exp != shortest.exp) {
      const Scientific full(v, 16);
      append_g(out, full.view(), full.exp, 17);
      return;
    }
  }
  append_g(out, shortest.view(), shortest.exp, std::max(6, static_cast<int>(shortest.count)));
}

}  // namespace

// The shortest "%.{p}g" (p = 6..17) that reads back as `v`. One printf per candidate precision
// cost ~30,000 instructions a number — most of a campaign's time went here — so the digits come
// from std::to_chars (shortest round trip, exact) and are laid out as "%.{p}g" would: p is
// max(6, d) for d shortest digits. Up to 15 digits the shortest digits are the correctly rounded
// ones (only one d-digit decimal fits the round-trip interval); at 17 they are too (to_chars picks
// the nearest); at 16 the interval may hold a farther one while the nearest does not read back,
// and then "%.16g" does not round-trip and the answer is "%.17g".
std::string json_number(double v) {
  std::string out;
  append_number(out, v);
  return out;
}

void JsonWriter::newline() {
  if (!pretty_) return;
  out_ += '\n';
  out_.append(stack_.size() * 2, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!stack_.empty()) {
    if (!first_) out_ += ',';
    newline();
  }
  first_ = false;
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  stack_ += 'o';
  first_ = true;
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  stack_.pop_back();
  if (!first_) newline();
  out_ += '}';
  first_ = false;
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  stack_ += 'a';
  first_ = true;
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  stack_.pop_back();
  if (!first_) newline();
  out_ += ']';
  first_ = false;
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  // Plain names (every metric and parameter key) need no escaping: appended as they are.
  const bool plain = std::all_of(k.begin(), k.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c != '"' && c != '\\';
  });
  if (plain) {
    out_.append("\"").append(k).append("\"");
  } else {
    out_ += json_escape(k);
  }
  out_ += pretty_ ? ": " : ":";
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(double v) {
  before_value();
  append_number(out_, v);
  return *this;
}
JsonWriter& JsonWriter::value(std::int64_t v) {
  before_value();
  out_ += std::to_string(v);
  return *this;
}
JsonWriter& JsonWriter::value(bool v) {
  before_value();
  out_ += v ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view v) {
  before_value();
  out_ += json_escape(v);
  return *this;
}
JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}
JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

}  // namespace pade::core
