#include "workloads/tokenizer.hpp"

#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "workloads/npy.hpp"

namespace pade::workloads {

namespace {

/// Byte-fallback ids: the 256 tokens after <unk>, BOS and EOS.
constexpr TokenId kFirstByteToken = 3;

/// Length of the UTF-8 sequence a lead byte starts (1 for ASCII and for stray bytes, which then
/// go through byte fallback one at a time).
std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

/// "<0xNN>" -> NN, or -1.
int byte_fallback_value(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  const int hi = hex(piece[3]), lo = hex(piece[4]);
  return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
}

}  // namespace

Tokenizer Tokenizer::load(const std::filesystem::path& path, std::size_t expected_vocab_size) {
  core::require_regular_file(path, "tokenizer file");  // a FIFO would block the read forever
  std::ifstream in(path, std::ios::binary);
  if (!in) core::throw_file_error(path.string(), "cannot open tokenizer file for reading");
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  if (!chars.empty()) std::memcpy(bytes.data(), chars.data(), chars.size());
  return parse(bytes, expected_vocab_size, path.string());
}

Tokenizer Tokenizer::parse(std::span<const std::byte> bytes, std::size_t expected_vocab_size,
                           std::string_view source) {
  std::size_t at = 0;
  const auto take = [&](void* dst, std::size_t n, const std::string& what) {
    if (bytes.size() - at < n)
      core::throw_file_error(source, "tokenizer file ends at byte " + std::to_string(bytes.size()) +
                                         " while reading " + what + "; expected " +
                                         std::to_string(expected_vocab_size) + " tokens");
    std::memcpy(dst, bytes.data() + at, n);
    at += n;
  };
  Tokenizer t;
  std::int32_t max_len = 0;
  take(&max_len, 4, "max_token_length");
  if (max_len <= 0 || max_len > 1024)
    core::throw_file_error(source,
                           "max_token_length is " + std::to_string(max_len) + ", expected 1..1024");
  t.max_token_length_ = static_cast<std::size_t>(max_len);
  t.pieces_.reserve(expected_vocab_size);
  t.scores_.reserve(expected_vocab_size);
  for (std::size_t i = 0; i < expected_vocab_size; ++i) {
    const std::string which = "token " + std::to_string(i);
    float score = 0.0f;
    std::int32_t len = 0;
    take(&score, 4, "the score of " + which);
    take(&len, 4, "the length of " + which);
    if (len < 0 || static_cast<std::size_t>(len) > t.max_token_length_)
      core::throw_file_error(source, which + " has byte length " + std::to_string(len) +
                                         ", expected 0.." + std::to_string(t.max_token_length_) +
                                         " (max_token_length)");
    std::string piece(static_cast<std::size_t>(len), '\0');
    take(piece.data(), piece.size(), "the bytes of " + which);
    t.ids_.emplace(piece, static_cast<TokenId>(i));  // first occurrence wins on duplicates
    t.pieces_.push_back(std::move(piece));
    t.scores_.push_back(score);
  }
  if (at != bytes.size())
    core::throw_file_error(
        source, "tokenizer file has " + std::to_string(bytes.size() - at) + " bytes after token " +
                    std::to_string(expected_vocab_size - 1) + "; expected exactly " +
                    std::to_string(expected_vocab_size) + " tokens");
  if (expected_vocab_size < kFirstByteToken + 256)
    core::throw_file_error(
        source, "vocabulary of " + std::to_string(expected_vocab_size) +
                    " tokens cannot hold <unk>, BOS, EOS and the 256 byte-fallback tokens");
  for (int b = 0; b < 256; ++b)
    if (byte_fallback_value(t.pieces_[static_cast<std::size_t>(kFirstByteToken + b)]) != b)
      core::throw_file_error(source, "token " + std::to_string(kFirstByteToken + b) + " is '" +
                                         t.pieces_[static_cast<std::size_t>(kFirstByteToken + b)] +
                                         "', expected the byte-fallback token for byte " +
                                         std::to_string(b));
  return t;
}

TokenId Tokenizer::find(std::string_view piece) const {
  const auto it = ids_.find(std::string(piece));
  return it == ids_.end() ? -1 : it->second;
}

void Tokenizer::check_id(TokenId token) const {
  if (token < 0 || static_cast<std::size_t>(token) >= pieces_.size())
    throw std::out_of_range("token id " + std::to_string(token) + " outside the vocabulary of " +
                            std::to_string(pieces_.size()));
}

std::string_view Tokenizer::piece(TokenId token) const {
  check_id(token);
  return pieces_[static_cast<std::size_t>(token)];
}

float Tokenizer::score(TokenId token) const {
  check_id(token);
  return scores_[static_cast<std::size_t>(token)];
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool bos, bool eos) const {
  std::vector<TokenId> tokens;
  if (bos) tokens.push_back(kBos);
  // Start with one token per codepoint (or per byte where the codepoint is not in the vocabulary).
  // The dummy-prefix space makes "time" at the start of a text tokenize like " time" mid-text.
  std::vector<TokenId> seq;
  if (!text.empty()) {
    const TokenId space = find(" ");
    if (space >= 0) seq.push_back(space);
  }
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_length(static_cast<unsigned char>(text[i]));
    if (i + n > text.size()) n = 1;  // a truncated sequence at the end: bytes go to fallback
    const TokenId id = find(text.substr(i, n));
    if (id >= 0) {
      seq.push_back(id);
    } else {
      for (std::size_t j = 0; j < n; ++j)
        seq.push_back(kFirstByteToken + static_cast<unsigned char>(text[i + j]));
    }
    i += n;
  }
  // Greedy BPE: merge the adjacent pair whose merged piece has the highest score (the leftmost on
  // ties) until no adjacent pair forms a vocabulary entry. Quadratic, which is fine for the
  // paragraph-sized texts the project feeds a 512-token-context model.
  std::string merged;
  while (true) {
    float best_score = 0.0f;
    TokenId best_id = -1;
    std::size_t best_at = 0;
    for (std::size_t i = 0; i + 1 < seq.size(); ++i) {
      merged.assign(pieces_[static_cast<std::size_t>(seq[i])]);
      merged.append(pieces_[static_cast<std::size_t>(seq[i + 1])]);
      const TokenId id = find(merged);
      if (id >= 0 && (best_id < 0 || scores_[static_cast<std::size_t>(id)] > best_score)) {
        best_score = scores_[static_cast<std::size_t>(id)];
        best_id = id;
        best_at = i;
      }
    }
    if (best_id < 0) break;
    seq[best_at] = best_id;
    seq.erase(seq.begin() + static_cast<std::ptrdiff_t>(best_at) + 1);
  }
  tokens.insert(tokens.end(), seq.begin(), seq.end());
  if (eos) tokens.push_back(kEos);
  return tokens;
}

std::string Tokenizer::decode_piece(TokenId previous, TokenId token) const {
  std::string_view p = piece(token);
  if (previous == kBos && !p.empty() && p.front() == ' ') p.remove_prefix(1);
  const int byte = byte_fallback_value(p);
  if (byte >= 0) return std::string(1, static_cast<char>(byte));
  return std::string(p);
}

std::string Tokenizer::decode(std::span<const TokenId> tokens) const {
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const TokenId t = tokens[i];
    check_id(t);
    if (t == kBos || t == kEos || t == kUnk) continue;
    out += decode_piece(i > 0 ? tokens[i - 1] : kBos, t);
  }
  return out;
}

namespace {

void check_token_count(std::size_t n, std::size_t max_tokens, std::string_view source) {
  if (n == 0)
    core::throw_file_error(source, "found no token ids, expected 1.." + std::to_string(max_tokens));
  if (n > max_tokens)
    core::throw_file_error(source, "found " + std::to_string(n) + " token ids, expected at most " +
                                       std::to_string(max_tokens) + " (the model's context)");
}

std::string id_range(std::size_t vocab_size) {
  return "expected a token id 0.." + std::to_string(vocab_size - 1);
}

// Decimal ids separated by whitespace or commas, '#' comments; errors at line:column.
std::vector<TokenId> parse_token_text(std::string_view text, std::size_t vocab_size,
                                      const std::string& file) {
  std::vector<TokenId> out;
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i, ++column;
    } else if (c == '\n') {
      ++i, ++line, column = 1;
    } else if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      ++i, ++column;
    } else {
      const std::size_t start = i;
      while (i < text.size() && text[i] != ',' && text[i] != '#' &&
             !std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
      const std::string_view word = text.substr(start, i - start);
      std::uint64_t v = 0;
      bool ok = word.size() <= 9;
      for (const char d : word) {
        ok = ok && d >= '0' && d <= '9';
        v = v * 10 + static_cast<std::uint64_t>(d - '0');
      }
      if (!ok || v >= vocab_size)
        throw core::InputError(core::SourceLocation{file, line, column}, "",
                               "found '" + core::excerpt(word) + "', " + id_range(vocab_size));
      out.push_back(static_cast<TokenId>(v));
      column += static_cast<int>(word.size());
    }
  }
  return out;
}

}  // namespace

std::vector<TokenId> read_token_ids(const std::filesystem::path& path, std::size_t vocab_size,
                                    std::size_t max_tokens) {
  const std::string source = path.string();
  std::vector<TokenId> ids;
  if (path.extension() == ".npy") {
    const NpyIntegers a = read_npy_integers(path);
    if (a.shape.size() != 1)
      core::throw_file_error(source, "found an array of rank " + std::to_string(a.shape.size()) +
                                         ", expected rank 1: one token id per position");
    for (std::size_t i = 0; i < a.data.size(); ++i) {
      if (a.data[i] < 0 || static_cast<std::uint64_t>(a.data[i]) >= vocab_size)
        core::throw_file_error(source, "found " + std::to_string(a.data[i]) + " at index " +
                                           std::to_string(i) + ", " + id_range(vocab_size));
      ids.push_back(static_cast<TokenId>(a.data[i]));
    }
  } else {
    ids = parse_token_text(core::read_input_file(path, "token-id file"), vocab_size, source);
  }
  check_token_count(ids.size(), max_tokens, source);
  return ids;
}

}  // namespace pade::workloads
