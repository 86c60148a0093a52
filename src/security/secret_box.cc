#include "security/secret_box.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <span>
#include <system_error>
#include <vector>

#include "security/base64.h"

namespace tt {
namespace {

constexpr std::string_view kPrefix = "sb1:";

}  // namespace

Result<SecretBox> SecretBox::FromKeyFile(const std::filesystem::path& path, bool create,
                                         RandomSource& random) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    if (!create) return Error::Unavailable("the key file " + path.string() + " does not exist");
    Key key;
    random.Fill(std::as_writable_bytes(std::span(key)));
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
    // Written whole to a file of this process's own (0600 from the start, so that the key is
    // never readable by others), then linked into place only if no key is there yet: of two
    // servers starting at once, one key wins and both read it back below.
    uint64_t nonce = 0;
    random.Fill(std::as_writable_bytes(std::span(&nonce, 1)));
    const std::filesystem::path staged = path.string() + ".new." + std::to_string(nonce);
    const mode_t old_mask = ::umask(077);
    std::ofstream out(staged, std::ios::out | std::ios::trunc);
    ::umask(old_mask);
    out << Base64Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()))
        << "\n";
    out.close();
    const bool written = static_cast<bool>(out);
    const bool linked = written && ::link(staged.c_str(), path.c_str()) == 0;
    const int link_error = errno;
    std::filesystem::remove(staged, error);
    if (!written || (!linked && link_error != EEXIST)) {
      return Error::Unavailable("cannot write the key file " + path.string());
    }
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Error::Unavailable("cannot read the key file " + path.string());
  }
  std::optional<std::string> bytes = Base64Decode(line);
  if (!bytes || bytes->size() != kKeyBytes) {
    return Error{ErrorCode::kInternal,
                 "the key file " + path.string() + " does not hold a base64 key of 32 bytes",
                 {},
                 {}};
  }
  Key key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return SecretBox(key);
}

std::string SecretBox::Seal(std::string_view secret, RandomSource& random) const {
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 secret.size());
  random.Fill(std::as_writable_bytes(std::span(box.data(), crypto_secretbox_NONCEBYTES)));
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                        box.data(), key_.data());
  return std::string(kPrefix) +
         Base64Encode(std::string_view(reinterpret_cast<const char*>(box.data()), box.size()));
}

std::optional<std::string> SecretBox::Open(std::string_view sealed) const {
  if (!sealed.starts_with(kPrefix)) return std::nullopt;
  std::optional<std::string> box = Base64Decode(sealed.substr(kPrefix.size()));
  if (!box || box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(box->data());
  std::string secret(box->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(secret.data()), bytes + crypto_secretbox_NONCEBYTES,
          box->size() - crypto_secretbox_NONCEBYTES, bytes, key_.data()) != 0) {
    return std::nullopt;
  }
  return secret;
}

}  // namespace tt
