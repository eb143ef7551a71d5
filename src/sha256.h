/*
 * sha256: SHA-256 (FIPS 180-4), self-contained.
 *
 * The release mode hashes every asset it uploads while streaming it, so
 * the digest GitHub returns can be checked without reading the file twice,
 * and hashes a local file up front only when an asset of that name exists.
 * The glibc build links Debian's libcurl on OpenSSL and the static build
 * links mbedTLS: one small implementation here hashes the same way in
 * both, with the FIPS 180-4 test vectors as its unit tests.
 */
#ifndef RT_SHA256_H
#define RT_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_SHA256_HEX_LEN 64

typedef struct {
	uint32_t state[8];
	uint64_t bytes;        /* message length so far */
	unsigned char block[64];
	size_t fill;           /* bytes waiting in block */
} rt_sha256;

void rt_sha256_init(rt_sha256 *ctx);
void rt_sha256_update(rt_sha256 *ctx, const void *data, size_t len);
/* The 32-byte digest; the context must be re-initialised before reuse. */
void rt_sha256_final(rt_sha256 *ctx, unsigned char out[32]);
/* The digest as 64 lower-case hex digits and a NUL. */
void rt_sha256_final_hex(rt_sha256 *ctx, char out[RT_SHA256_HEX_LEN + 1]);

/* Whether the x86 SHA extensions do the work (else the portable code);
 * RELEASE_TRAIN_SHA256_PORTABLE=1 forces the portable code. */
bool rt_sha256_accelerated(void);

/* Hash a whole file, streaming (memory does not grow with its size);
 * *size_out (if not NULL) receives its length. -1 with an error recorded
 * naming the path when it cannot be read. */
int rt_sha256_file(char out[RT_SHA256_HEX_LEN + 1], uint64_t *size_out, const char *path);

#endif
