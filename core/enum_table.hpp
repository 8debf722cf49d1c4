#pragma once
// One string <-> enumerator table per configurable enumeration.
//
// A configuration file spells an enumeration by name ("head_tail"); the code holds the enumerator.
// Both directions, the schema's list of choices and every printed name come from one table, so a
// new enumerator is named in exactly one place. An enumeration opts in by declaring, next to
// itself, `constexpr const auto& enum_table(E)` returning its table; argument-dependent lookup
// finds it from anywhere (core::Binding turns such a member into a choice parameter).
#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pade::core {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

/// The names of an enumeration's enumerators, in the order choices are listed to users.
template <class E, std::size_t N>
class EnumTable {
 public:
  constexpr explicit EnumTable(std::array<EnumName<E>, N> entries) : entries_(entries) {}

  /// The name of `value`; an enumerator missing from the table is a programming error.
  [[nodiscard]] constexpr std::string_view name(E value) const {
    for (const auto& e : entries_)
      if (e.value == value) return e.name;
    throw std::logic_error("an enumerator has no name in its enum_table");
  }
  [[nodiscard]] constexpr std::optional<E> find(std::string_view name) const {
    for (const auto& e : entries_)
      if (e.name == name) return e.value;
    return std::nullopt;
  }
  [[nodiscard]] std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(N);
    for (const auto& e : entries_) out.emplace_back(e.name);
    return out;
  }
  [[nodiscard]] constexpr std::span<const EnumName<E>> entries() const { return entries_; }

 private:
  std::array<EnumName<E>, N> entries_;
};

/// An enumeration with a table reachable through `enum_table(E)`.
template <class E>
concept NamedEnum = std::is_enum_v<E> && requires(E e, std::string_view s) {
  { enum_table(e).name(e) } -> std::convertible_to<std::string_view>;
  { enum_table(e).find(s) } -> std::same_as<std::optional<E>>;
};

template <NamedEnum E>
[[nodiscard]] constexpr std::string_view enum_name(E value) {
  return enum_table(value).name(value);
}

/// The enumerator called `name`. Callers pass names the schema has validated, so an unknown one
/// is a programming error (std::logic_error), never an input error.
template <NamedEnum E>
[[nodiscard]] constexpr E enum_value(std::string_view name) {
  if (const auto v = enum_table(E{}).find(name)) return *v;
  // Appended, not "'" + std::string(name): GCC 12 warns (-Wrestrict) about the inlined insert.
  std::string message = "not the name of an enumerator: ";
  message.append(name);
  throw std::logic_error(message);
}

template <NamedEnum E>
[[nodiscard]] std::vector<std::string> enum_names() {
  return enum_table(E{}).names();
}

/// `value` is the enumerator called `name`. A name the table does not know throws
/// std::logic_error instead of comparing unequal, so a misspelt comparison cannot pass silently.
template <NamedEnum E>
[[nodiscard]] constexpr bool is_named(E value, std::string_view name) {
  return enum_value<E>(name) == value;
}

}  // namespace pade::core
