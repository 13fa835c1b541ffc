// The system's OpenSSL 3 for Swift, plus small wrappers for what Swift cannot import.
//
// Swift imports OpenSSL's functions and integer constants, but not:
// - function-like macros (most `SSL_CTX_set_*` controls are macros over `SSL_CTX_ctrl`,
//   `BIO_*` controls over `BIO_ctrl`, the `sk_X509_*` stack helpers, `OPENSSL_free`, …);
// - the `SSL_OP_*` option constants (built with a macro, `SSL_OP_BIT`);
// - aliases such as `SSL_get_peer_certificate` (use `SSL_get1_peer_certificate`).
// Each wrapper below is a `static inline` function, so this header is the whole shim: no C
// file to compile, and no `_GNU_SOURCE` anywhere (see CNetShim.h for why that matters).
#ifndef NETLAB_COPENSSL_SHIM_H
#define NETLAB_COPENSSL_SHIM_H

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>

// MARK: SSL_CTX and SSL controls (macros over SSL_CTX_ctrl / SSL_ctrl)

static inline int netlab_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int netlab_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long netlab_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline long netlab_SSL_set_mode(SSL *ssl, long mode) {
    return SSL_set_mode(ssl, mode);
}
static inline int netlab_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
static inline long netlab_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

/// The options netlab sets on every context: no renegotiation (TLS 1.2), no compression,
/// and the server's cipher preference.
static inline void netlab_SSL_CTX_set_default_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}

/// `SSL_MODE_*` values, as plain integers Swift can use.
static const long NETLAB_SSL_MODE_ENABLE_PARTIAL_WRITE = SSL_MODE_ENABLE_PARTIAL_WRITE;
static const long NETLAB_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
static const long NETLAB_SSL_MODE_RELEASE_BUFFERS = SSL_MODE_RELEASE_BUFFERS;
static const long NETLAB_SSL_MODE_AUTO_RETRY = SSL_MODE_AUTO_RETRY;

// MARK: BIO controls (macros over BIO_ctrl)

/// What a memory BIO's read returns once it is empty: 0 means end of stream, -1 "retry".
static inline long netlab_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}
static inline int netlab_BIO_should_retry(BIO *bio) {
    return BIO_should_retry(bio);
}
static inline long netlab_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

// MARK: Stacks of certificates (sk_X509_* are macros over OPENSSL_sk_*)

static inline int netlab_sk_X509_num(const STACK_OF(X509) *stack) {
    return sk_X509_num(stack);
}
static inline X509 *netlab_sk_X509_value(const STACK_OF(X509) *stack, int index) {
    return sk_X509_value(stack, index);
}
static inline STACK_OF(X509) *netlab_sk_X509_new_null(void) {
    return sk_X509_new_null();
}
static inline int netlab_sk_X509_push(STACK_OF(X509) *stack, X509 *cert) {
    return sk_X509_push(stack, cert);
}
/// Frees the stack and drops one reference to each certificate in it.
static inline void netlab_sk_X509_pop_free(STACK_OF(X509) *stack) {
    sk_X509_pop_free(stack, X509_free);
}

// MARK: Subject alternative names (GENERAL_NAMES is a stack, and GENERAL_NAME a union)

/// The SAN extension of `cert`, or NULL. Free with `netlab_GENERAL_NAMES_free`.
static inline GENERAL_NAMES *netlab_X509_get_subject_alt_names(X509 *cert) {
    return (GENERAL_NAMES *)X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
}
static inline int netlab_GENERAL_NAMES_count(const GENERAL_NAMES *names) {
    return sk_GENERAL_NAME_num(names);
}
/// The entry at `index`: its type (GEN_DNS, GEN_IPADD, …) and its bytes (a DNS name in
/// ASCII, or an IP address as 4 or 16 bytes). Returns the type, or -1.
static inline int netlab_GENERAL_NAMES_get(const GENERAL_NAMES *names, int index,
                                           const unsigned char **data, int *length) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, index);
    if (name == NULL) return -1;
    *data = NULL;
    *length = 0;
    if (name->type == GEN_DNS || name->type == GEN_IPADD || name->type == GEN_EMAIL || name->type == GEN_URI) {
        const ASN1_STRING *s = name->d.ia5; // the same pointer for all four string types
        *data = ASN1_STRING_get0_data(s);
        *length = ASN1_STRING_length(s);
    }
    return name->type;
}
static inline void netlab_GENERAL_NAMES_free(GENERAL_NAMES *names) {
    GENERAL_NAMES_free(names);
}

// MARK: Errors, memory, certificates

/// `X509_NAME_print_ex` flags: one line, "O = …, CN = …", UTF-8 kept as is.
static const unsigned long NETLAB_XN_FLAG_ONELINE = XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB;

static inline int netlab_ERR_GET_LIB(unsigned long error) { return ERR_GET_LIB(error); }
static inline int netlab_ERR_GET_REASON(unsigned long error) { return ERR_GET_REASON(error); }
static inline void netlab_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
static inline void netlab_X509V3_set_ctx_nodb(X509V3_CTX *ctx) { X509V3_set_ctx_nodb(ctx); }
static inline int netlab_EVP_PKEY_CTX_set_ec_paramgen_curve_nid(EVP_PKEY_CTX *ctx, int nid) {
    return EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, nid);
}

// MARK: Callbacks: per-SSL and per-context user data (ex_data index 0 is the "app data" slot)

static inline int netlab_SSL_set_app_data(SSL *ssl, void *data) { return SSL_set_ex_data(ssl, 0, data); }
static inline void *netlab_SSL_get_app_data(const SSL *ssl) { return SSL_get_ex_data(ssl, 0); }

#endif
