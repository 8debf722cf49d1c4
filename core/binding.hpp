#pragma once
// The typed binding: every configuration parameter declared once, against the member it fills.
//
// A declaration names the member (`&HardwareConfig::lanes_per_row`), its dotted key, unit, range
// and meaning. The kind follows from the member's type — int or std::int64_t: integer, double:
// real, bool: boolean, std::string: string, an enumeration with an enum_table (enum_table.hpp):
// choice of its names — and the default is the member's initializer, read from a
// default-constructed S, so a default is written once and cannot drift from the schema. From the
// declarations come
//   - the Schema (errors with file:line:column and did-you-mean stay the schema layer's),
//   - the Config -> S conversion (from()),
//   - the reference (`pade validate --explain` prints the schema), and
//   - a derived key: members marked key_part() (they must live in K, a base of S) print as
//     `label=value;...`. The statistics cache keys its digests by it (dse::AlgorithmPoint).
// Config itself stays: design-space points, hashes and stored parameters are Configs.
#include <algorithm>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/coefficients.hpp"
#include "core/enum_table.hpp"
#include "core/schema.hpp"

namespace pade::core {

/// Member types a declaration can bind, and how each maps to a parameter kind.
template <class M>
concept BindableMember =
    std::same_as<M, int> || std::same_as<M, std::int64_t> || std::same_as<M, double> ||
    std::same_as<M, bool> || std::same_as<M, std::string> || NamedEnum<M>;

namespace binding_detail {

template <BindableMember M>
ParamKind kind_of() {
  if constexpr (std::same_as<M, int> || std::same_as<M, std::int64_t>) {
    return ParamKind::Integer;
  } else if constexpr (std::same_as<M, double>) {
    return ParamKind::Real;
  } else if constexpr (std::same_as<M, bool>) {
    return ParamKind::Boolean;
  } else if constexpr (std::same_as<M, std::string>) {
    return ParamKind::String;
  } else {
    return ParamKind::Choice;
  }
}

/// The schema value of a member value (what Config holds, hashes and prints).
template <BindableMember M>
Value to_value(const M& m) {
  if constexpr (std::same_as<M, int> || std::same_as<M, std::int64_t>) {
    return std::int64_t{m};
  } else if constexpr (NamedEnum<M>) {
    return std::string(enum_name(m));
  } else {
    return m;
  }
}

/// The member value of a validated Config entry.
template <BindableMember M>
M read(const Config& c, const std::string& key) {
  if constexpr (std::same_as<M, int> || std::same_as<M, std::int64_t>) {
    return static_cast<M>(c.integer(key));  // the declared range keeps an int in range
  } else if constexpr (std::same_as<M, double>) {
    return c.real(key);
  } else if constexpr (std::same_as<M, bool>) {
    return c.boolean(key);
  } else if constexpr (std::same_as<M, std::string>) {
    return c.string(key);
  } else {
    return enum_value<M>(c.string(key));
  }
}

/// A member's text in a derived key. Reals use %.17g: exact, and the form statistics-cache keys
/// have always had (stored keys must keep matching).
template <BindableMember M>
std::string key_text(const M& m) {
  if constexpr (std::same_as<M, bool>) {
    return m ? "1" : "0";
  } else if constexpr (std::same_as<M, int> || std::same_as<M, std::int64_t>) {
    return std::to_string(m);
  } else if constexpr (std::same_as<M, double>) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", m);
    return buf;
  } else if constexpr (std::same_as<M, std::string>) {
    return m;
  } else {
    return std::string(enum_name(m));
  }
}

}  // namespace binding_detail

template <class S, class K>
class Binding;

/// One declaration, built fluently: Field(&S::member, "section.key").with_unit(...)...
/// C is the class that declares the member: S itself or a base of S.
template <class C, BindableMember M>
class Field {
 public:
  Field(M C::*member, std::string key) : member_(member) { spec_.key = std::move(key); }

  Field& with_unit(std::string u) {
    spec_.unit = std::move(u);
    return *this;
  }
  Field& describe(std::string d) {
    spec_.doc = std::move(d);
    return *this;
  }
  Field& range(double lo, double hi) {
    spec_.min = lo;
    spec_.max = hi;
    return *this;
  }
  Field& at_least(double lo) {
    spec_.min = lo;
    return *this;
  }
  /// Documentation only: left out of the configuration's identity (Config::canonical).
  Field& not_identity() {
    spec_.identity = false;
    return *this;
  }
  /// Part of the configuration's identity (Config::hash) only when the value differs from
  /// `implied`, the value every configuration hashed before this member existed implies. Every
  /// parameter added after the first release is declared so: old hashes (and the databases keyed
  /// by them) stay valid. Like key_part_unless, `implied` is not the default.
  Field& identity_unless(M implied) {
    spec_.identity_implied = binding_detail::to_value(implied);
    return *this;
  }
  /// Part of the configuration's identity only while parameter `key` holds `value` (a knob of one
  /// mode, which the models ignore in the others): a parameter added later with a default other
  /// than the value old configurations implied keeps the hashes of the other mode's
  /// configurations (the default design's among them).
  template <class V>
  Field& identity_only_when(std::string key, const V& value) {
    spec_.identity_only_when.emplace(std::move(key), binding_detail::to_value(value));
    return *this;
  }
  /// Always part of the derived key, as `label=value`, at `position` among the parts that are
  /// always present. Positions fix the order keys were first written in, independent of the
  /// order parameters are documented in; they never change once keys are stored.
  Field& key_part(std::string label, int position) {
    label_ = std::move(label);
    position_ = position;
    return *this;
  }
  /// Part of the derived key after the positioned parts (in declaration order), but only when the
  /// value differs from `implied`: the value every key written before this member existed
  /// implies. Keys stored before the member was added stay valid and keep finding their data.
  /// `implied` is not the default: the default may change later, what old keys meant cannot.
  Field& key_part_unless(std::string label, M implied) {
    label_ = std::move(label);
    implied_ = std::move(implied);
    return *this;
  }

 private:
  template <class, class>
  friend class Binding;

  M C::*member_;
  ParamSpec spec_;
  std::string label_;
  std::optional<int> position_;
  std::optional<M> implied_;
};

/// The declarations of struct S, in the order the reference documents them. K is the base of S
/// (or S) whose members form the derived key.
template <class S, class K = S>
class Binding {
  static_assert(std::is_base_of_v<K, S>, "the key part K must be S or a base of S");
  static_assert(std::is_default_constructible_v<S>, "defaults are read from a default S");

 public:
  Binding(std::string name, std::string doc) : schema_(std::move(name), std::move(doc)) {}

  template <class C, BindableMember M>
  Binding& add(Field<C, M> field) {
    static_assert(std::is_base_of_v<C, S>, "the member must belong to S or a base of S");
    ParamSpec spec = std::move(field.spec_);
    spec.kind = binding_detail::kind_of<M>();
    if constexpr (NamedEnum<M>) spec.choices = enum_names<M>();
    if constexpr (std::same_as<M, int>) {
      // Config holds 64-bit integers; an int member needs a range that keeps the cast exact.
      if (!spec.min || !spec.max || *spec.min < std::numeric_limits<int>::min() ||
          *spec.max > std::numeric_limits<int>::max())
        throw std::logic_error("'" + spec.key + "' binds an int: declare a range within int");
    }
    M C::*member = field.member_;
    spec.default_value = binding_detail::to_value(defaults_.*member);
    const std::string key = spec.key;
    if (schema_.find(key) != nullptr) throw std::logic_error("'" + key + "' is declared twice");
    // Every check before any change: a refused declaration leaves the binding as it was.
    std::optional<KeyPart> part = key_part<C, M>(field, key);
    schema_.add(std::move(spec));
    entries_.push_back(
        {key, [member, key](S& s, const Config& c) { s.*member = binding_detail::read<M>(c, key); },
         [member](const S& s) { return binding_detail::to_value(s.*member); }});
    if (part) {
      // Positioned parts first, by position; the others after them, in declaration order.
      const auto after_new = [&](const KeyPart& p) {
        return part->position && (!p.position || *p.position > *part->position);
      };
      key_parts_.insert(std::find_if(key_parts_.begin(), key_parts_.end(), after_new),
                        std::move(*part));
    }
    return *this;
  }

  /// A parameter with no member (a document's `kind`): in the schema and the reference only.
  Binding& add_unbound(ParamSpec spec) {
    unbound_.push_back(spec.key);
    schema_.add(std::move(spec));
    return *this;
  }

  /// Every coefficient of the table held in `member` as the real parameter `<prefix>.<name>`
  /// (>= 0), with the table's default, unit and source: the table stays their one declaration.
  template <class C>
  Binding& add_coefficients(CoefficientTable C::*member, const std::string& prefix) {
    static_assert(std::is_base_of_v<C, S>, "the member must belong to S or a base of S");
    for (const auto& coef : (defaults_.*member).entries()) {
      const std::string key = prefix + "." + coef.name;
      ParamSpec spec = ParamSpec::real(key)
                           .with_unit(coef.unit)
                           .at_least(0)
                           .defaults(coef.value)
                           .describe(coef.source);
      if (coef.identity_implied) spec.identity_implied = Value(*coef.identity_implied);
      schema_.add(std::move(spec));
      entries_.push_back(
          {key,
           [member, key, name = coef.name](S& s, const Config& c) {
             (s.*member).set(name, c.real(key));
           },
           [member, name = coef.name](const S& s) { return Value((s.*member).get(name)); }});
    }
    return *this;
  }

  [[nodiscard]] const Schema& schema() const { return schema_; }

  /// The struct of a Config read against schema(): every bound member filled.
  [[nodiscard]] S from(const Config& config) const {
    S s{};
    for (const auto& e : entries_) e.read(s, config);
    return s;
  }

  /// The key part of a Config: the key members filled, every other member of K at its default.
  [[nodiscard]] K key_part_of(const Config& config) const {
    K k{};
    for (const auto& p : key_parts_) p.read(k, config);
    return k;
  }

  /// The derived key: `label=value` of the positioned parts in position order, then the other
  /// marked members that differ from their implied value, in declaration order, `;`-separated.
  [[nodiscard]] std::string key(const K& k) const {
    std::string out;
    for (const auto& p : key_parts_) {
      const std::optional<std::string> text = p.text(k);
      if (!text) continue;
      if (!out.empty()) out += ';';
      out += p.label + "=" + *text;
    }
    return out;
  }

  /// The value `s` holds for a bound key, as the schema spells it (throws std::logic_error for
  /// keys without a member).
  [[nodiscard]] Value value(const S& s, std::string_view key) const {
    for (const auto& e : entries_)
      if (e.key == key) return e.get(s);
    throw std::logic_error("'" + std::string(key) + "' is not bound to a member");
  }
  [[nodiscard]] bool is_bound(std::string_view key) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return e.key == key; });
  }
  /// Keys declared without a member (add_unbound).
  [[nodiscard]] const std::vector<std::string>& unbound_keys() const { return unbound_; }
  /// The config keys of the key parts, in key order.
  [[nodiscard]] std::vector<std::string> key_part_keys() const {
    std::vector<std::string> out;
    for (const auto& p : key_parts_) out.push_back(p.key);
    return out;
  }

 private:
  struct Entry {
    std::string key;
    std::function<void(S&, const Config&)> read;
    std::function<Value(const S&)> get;
  };
  struct KeyPart {
    std::string key;  // the config key
    std::string label;
    std::optional<int> position;
    std::function<void(K&, const Config&)> read;
    std::function<std::optional<std::string>(const K&)> text;  // nullopt: left out
  };

  /// The key part a declaration asks for (nullopt: none), checked against the parts so far.
  template <class C, class M>
  std::optional<KeyPart> key_part(const Field<C, M>& field, const std::string& key) const {
    if constexpr (!std::is_base_of_v<C, K>) {
      if (!field.label_.empty())
        throw std::logic_error("'" + key +
                               "' is a key part, so its member must belong to the "
                               "key struct");
      return std::nullopt;
    } else {
      if (field.label_.empty()) {
        // K exists to be keyed by: a member of it outside the key would be read by whoever
        // consumes K (the statistics computation) while the key ignored it (a stale cache).
        if constexpr (!std::is_same_v<K, S>)
          throw std::logic_error("'" + key + "' belongs to the key struct: declare its key part");
        return std::nullopt;
      }
      for (const auto& p : key_parts_) {
        if (p.label == field.label_)
          throw std::logic_error("key label '" + field.label_ + "' is used twice");
        if (field.position_ && p.position == field.position_)
          throw std::logic_error("key position " + std::to_string(*field.position_) +
                                 " is used twice");
      }
      M C::*member = field.member_;
      KeyPart part{
          key, field.label_, field.position_,
          [member, key](K& k, const Config& c) { k.*member = binding_detail::read<M>(c, key); },
          nullptr};
      if (field.implied_) {
        part.text = [member, implied = *field.implied_](const K& k) -> std::optional<std::string> {
          if (k.*member == implied) return std::nullopt;
          return binding_detail::key_text(k.*member);
        };
      } else {
        part.text = [member](const K& k) -> std::optional<std::string> {
          return binding_detail::key_text(k.*member);
        };
      }
      return part;
    }
  }

  S defaults_{};
  Schema schema_;
  std::vector<Entry> entries_;
  std::vector<KeyPart> key_parts_;
  std::vector<std::string> unbound_;
};

}  // namespace pade::core
