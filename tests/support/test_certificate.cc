#include "support/test_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <iostream>
#include <memory>

namespace tt::testing {
namespace {

void Require(bool ok, const char* what) {
  if (ok) return;
  std::cerr << "test certificate: " << what << " failed\n";
  std::abort();
}

std::string PemOf(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

TestCertificate MakeSelfSignedCertificate() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  Require(key != nullptr, "EVP_EC_gen");
  std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), &X509_free);
  Require(certificate != nullptr, "X509_new");
  X509* cert = certificate.get();
  Require(X509_set_version(cert, 2) == 1, "X509_set_version");  // v3, for extensions
  Require(ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) == 1, "serial");
  Require(X509_gmtime_adj(X509_getm_notBefore(cert), -60) != nullptr, "notBefore");
  Require(X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600) != nullptr, "notAfter");
  Require(X509_set_pubkey(cert, key.get()) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert);
  Require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                     0) == 1,
          "subject");
  Require(X509_set_issuer_name(cert, name) == 1, "issuer");
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    Require(extension != nullptr, "extension");
    Require(X509_add_ext(cert, extension, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(extension);
  }
  Require(X509_sign(cert, key.get(), EVP_sha256()) > 0, "X509_sign");

  TestCertificate result;
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), &BIO_free);
  Require(PEM_write_bio_X509(cert_bio.get(), cert) == 1, "PEM_write_bio_X509");
  result.certificate_pem = PemOf(cert_bio.get());
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), &BIO_free);
  Require(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                   nullptr) == 1,
          "PEM_write_bio_PrivateKey");
  result.private_key_pem = PemOf(key_bio.get());
  return result;
}

}  // namespace tt::testing
