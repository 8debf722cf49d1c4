#pragma once
// The SentencePiece-style BPE tokenizer of llama2.c checkpoints (tok512.bin for stories260K).
//
// File format (little-endian): int32 max_token_length, then per token: float32 score, int32 byte
// length, the bytes. Ids 0/1/2 are <unk>, BOS and EOS; byte-fallback tokens are spelled "<0xNN>".
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pade::workloads {

using TokenId = std::int32_t;

class Tokenizer {
 public:
  static constexpr TokenId kUnk = 0;
  static constexpr TokenId kBos = 1;
  static constexpr TokenId kEos = 2;

  /// Reads a tokenizer file; `expected_vocab_size` is the number of tokens it must hold (the
  /// file itself does not store it). Throws core::InputError on a short or inconsistent file.
  static Tokenizer load(const std::filesystem::path& path, std::size_t expected_vocab_size);
  /// Same, from bytes already in memory; `source` names them in error messages.
  static Tokenizer parse(std::span<const std::byte> bytes, std::size_t expected_vocab_size,
                         std::string_view source);

  /// Encodes UTF-8 text: a dummy-prefix space is prepended (for non-empty text), each codepoint
  /// maps to its token or to one byte-fallback token per byte, then the adjacent pair whose merge
  /// has the best score is merged until no merge exists. BOS/EOS are added on request.
  [[nodiscard]] std::vector<TokenId> encode(std::string_view text, bool bos = true,
                                            bool eos = false) const;

  /// The bytes `token` stands for when it follows `previous`: byte-fallback tokens decode to their
  /// byte, and the leading space of a token right after BOS is dropped (it is the dummy prefix).
  [[nodiscard]] std::string decode_piece(TokenId previous, TokenId token) const;

  /// Decodes a token sequence to text: BOS/EOS/<unk> themselves produce nothing; every other
  /// token is decode_piece(its predecessor, it); the first token counts as following BOS, so a
  /// sequence encoded without BOS also loses its dummy-prefix space.
  [[nodiscard]] std::string decode(std::span<const TokenId> tokens) const;

  /// The raw vocabulary entry of a token, e.g. " time" or "<0x0A>".
  [[nodiscard]] std::string_view piece(TokenId token) const;
  [[nodiscard]] float score(TokenId token) const;
  [[nodiscard]] std::size_t vocab_size() const { return pieces_.size(); }

 private:
  Tokenizer() = default;
  [[nodiscard]] TokenId find(std::string_view piece) const;  // -1 if absent
  void check_id(TokenId token) const;

  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::unordered_map<std::string, TokenId> ids_;
  std::size_t max_token_length_ = 0;
};

/// Token ids from a file, for a model of `vocab_size` tokens and a context of `max_tokens`: a
/// .npy of integers (rank 1, as `pade workloads export` writes tokens.npy) or a text file of
/// decimal ids separated by whitespace or commas ('#' starts a comment to the end of the line).
/// The ids are taken as they are (no BOS is added: a BOS anywhere is expressed by its id, 1).
/// Throws core::InputError (file:line:column for a text file) on an id outside 0..vocab_size-1,
/// a word that is not an id, no ids, or more than max_tokens.
[[nodiscard]] std::vector<TokenId> read_token_ids(const std::filesystem::path& path,
                                                  std::size_t vocab_size, std::size_t max_tokens);

}  // namespace pade::workloads
