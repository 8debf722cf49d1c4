#pragma once
// Checks on rendered images without an image library: the PNG header's size, and that an SVG is
// well-formed XML (every element closed in order, one root, attributes quoted).
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace pade::test {

struct PngSize {
  bool ok = false;
  std::uint32_t width = 0, height = 0;
};

/// Width and height from the IHDR chunk that must follow the 8-byte PNG signature.
inline PngSize png_size(const std::string& bytes) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  PngSize s;
  if (bytes.size() < 24 || bytes.compare(0, 8, kSignature) != 0 ||
      bytes.compare(12, 4, "IHDR") != 0)
    return s;
  const auto be32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  s.ok = true;
  s.width = be32(16);
  s.height = be32(20);
  return s;
}

struct XmlCheck {
  bool ok = false;
  std::string root;      // name of the root element
  std::string error;     // why not well-formed
  std::string root_tag;  // the root's start tag, attributes included
};

/// A small well-formedness check: declarations, comments, CDATA and DOCTYPE are skipped; start
/// and end tags must nest; exactly one root element with only whitespace around it.
inline XmlCheck check_xml(const std::string& s) {
  XmlCheck r;
  std::vector<std::string> stack;
  std::size_t i = 0, roots = 0;
  const auto fail = [&](const std::string& why) {
    r.error = why + " at byte " + std::to_string(i);
    return r;
  };
  while (i < s.size()) {
    if (s[i] != '<') {
      if (stack.empty() && !std::isspace(static_cast<unsigned char>(s[i])))
        return fail("text outside the root");
      ++i;
      continue;
    }
    const auto skip_to = [&](const char* end) {
      const auto e = s.find(end, i);
      if (e == std::string::npos) return false;
      i = e + std::string(end).size();
      return true;
    };
    if (s.compare(i, 4, "<!--") == 0) {
      if (!skip_to("-->")) return fail("unclosed comment");
    } else if (s.compare(i, 9, "<![CDATA[") == 0) {
      if (!skip_to("]]>")) return fail("unclosed CDATA");
    } else if (s.compare(i, 2, "<?") == 0) {
      if (!skip_to("?>")) return fail("unclosed declaration");
    } else if (s.compare(i, 2, "<!") == 0) {
      if (!skip_to(">")) return fail("unclosed DOCTYPE");
    } else {
      // A tag: find its end outside quoted attribute values.
      std::size_t j = i + 1;
      char quote = 0;
      for (; j < s.size(); ++j) {
        if (quote) {
          if (s[j] == quote) quote = 0;
        } else if (s[j] == '"' || s[j] == '\'') {
          quote = s[j];
        } else if (s[j] == '>') {
          break;
        }
      }
      if (j >= s.size()) return fail("unclosed tag");
      const std::string tag = s.substr(i + 1, j - i - 1);
      const bool closing = !tag.empty() && tag[0] == '/';
      const bool empty = !tag.empty() && tag.back() == '/';
      std::size_t k = closing ? 1 : 0;
      std::string name;
      while (k < tag.size() && !std::isspace(static_cast<unsigned char>(tag[k])) && tag[k] != '/')
        name += tag[k++];
      if (name.empty()) return fail("tag without a name");
      if (closing) {
        if (stack.empty() || stack.back() != name)
          return fail("</" + name + "> does not close <" + (stack.empty() ? "" : stack.back()) +
                      ">");
        stack.pop_back();
      } else {
        if (stack.empty()) {
          if (++roots > 1) return fail("a second root element <" + name + ">");
          r.root = name;
          r.root_tag = "<" + tag + ">";
        }
        if (!empty) stack.push_back(name);
      }
      i = j + 1;
    }
  }
  if (!stack.empty()) return fail("<" + stack.back() + "> is never closed");
  if (roots != 1) return fail("no root element");
  r.ok = true;
  return r;
}

}  // namespace pade::test
