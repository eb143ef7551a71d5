/*
 * sha256: SHA-256 as FIPS 180-4 writes it: 64-byte blocks, a 64-round
 * compression function over eight 32-bit words, big-endian length padding.
 *
 * The hash runs on the upload loop's thread for every byte sent, so its
 * speed bounds the upload's: the portable compression function does about
 * 250 MB/s, which a fast link to GitHub (or a local server) outruns. On
 * x86 processors with the SHA extensions (every recent AMD, Intel since
 * Ice Lake: GitHub's runners), the same function runs on the sha256rnds2 /
 * sha256msg1 / sha256msg2 instructions at about 1.5 GB/s (OpenSSL's speed
 * on the same CPU), chosen once at run time with cpuid; both paths pass
 * the same test vectors.
 */
#include "sha256.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress_portable(uint32_t state[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = state[0], b = state[1], c = state[2], d = state[3];
	e = state[4], f = state[5], g = state[6], h = state[7];
	for (i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) +
			      K[i] + w[i];
		uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	state[0] += a, state[1] += b, state[2] += c, state[3] += d;
	state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

static void blocks_portable(uint32_t state[8], const unsigned char *p, size_t n)
{
	for (; n; n--, p += 64)
		compress_portable(state, p);
}

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/* The SHA extensions' form of the same function (after Intel's reference
 * code): the state lives as ABEF/CDGH halves, each sha256rnds2 does two
 * rounds, and four rounds take four schedule words from w[g % 4]. The
 * schedule for later groups (msg1 three groups ahead, msg2 one ahead) is
 * interleaved with the rounds as Intel orders it, and the 16 groups are
 * written out so w[] stays in registers: the serial form of this loop ran
 * at half the speed. */
#define SHANI_GROUP(g)                                                                      \
	do {                                                                                \
		__m128i msg = _mm_add_epi32(w[(g) & 3],                                     \
					    _mm_loadu_si128((const __m128i *)&K[4 * (g)]));  \
		st1 = _mm_sha256rnds2_epu32(st1, st0, msg);                                 \
		if ((g) >= 3 && (g) <= 14) {                                                \
			__m128i t = _mm_alignr_epi8(w[(g) & 3], w[((g) + 3) & 3], 4);       \
			w[((g) + 1) & 3] = _mm_sha256msg2_epu32(                            \
				_mm_add_epi32(w[((g) + 1) & 3], t), w[(g) & 3]);            \
		}                                                                           \
		msg = _mm_shuffle_epi32(msg, 0x0E);                                         \
		st0 = _mm_sha256rnds2_epu32(st0, st1, msg);                                 \
		if ((g) >= 1 && (g) <= 12)                                                  \
			w[((g) + 3) & 3] = _mm_sha256msg1_epu32(w[((g) + 3) & 3], w[(g) & 3]); \
	} while (0)

__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t state[8],
								      const unsigned char *p,
								      size_t n)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i st0, st1, tmp, w[4];

	tmp = _mm_loadu_si128((const __m128i *)&state[0]);
	st1 = _mm_loadu_si128((const __m128i *)&state[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);       /* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);       /* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);       /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);    /* CDGH */
	for (; n; n--, p += 64) {
		__m128i abef = st0, cdgh = st1;

		w[0] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), mask);
		w[1] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), mask);
		w[2] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), mask);
		w[3] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), mask);
		SHANI_GROUP(0); SHANI_GROUP(1); SHANI_GROUP(2); SHANI_GROUP(3);
		SHANI_GROUP(4); SHANI_GROUP(5); SHANI_GROUP(6); SHANI_GROUP(7);
		SHANI_GROUP(8); SHANI_GROUP(9); SHANI_GROUP(10); SHANI_GROUP(11);
		SHANI_GROUP(12); SHANI_GROUP(13); SHANI_GROUP(14); SHANI_GROUP(15);
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
	}
	tmp = _mm_shuffle_epi32(st0, 0x1B);       /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);       /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);    /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);       /* ABEF */
	_mm_storeu_si128((__m128i *)&state[0], st0);
	_mm_storeu_si128((__m128i *)&state[4], st1);
}
#undef SHANI_GROUP

static bool cpu_has_shani(void)
{
	unsigned a, b, c, d;

	if (getenv("RELEASE_TRAIN_SHA256_PORTABLE"))
		return false; /* tests and benchmarks of the portable path */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return false;
	if (__get_cpuid_max(0, NULL) < 7)
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & (1u << 29)) != 0; /* SHA */
}
#else
static bool cpu_has_shani(void)
{
	return false;
}
#define blocks_shani blocks_portable
#endif

typedef void (*blocks_fn)(uint32_t state[8], const unsigned char *p, size_t n);

static blocks_fn pick_blocks(void)
{
	static blocks_fn chosen;

	if (!chosen)
		chosen = cpu_has_shani() ? blocks_shani : blocks_portable;
	return chosen;
}

bool rt_sha256_accelerated(void)
{
	return pick_blocks() != blocks_portable;
}

void rt_sha256_init(rt_sha256 *ctx)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(ctx->state, iv, sizeof(iv));
	ctx->bytes = 0;
	ctx->fill = 0;
}

void rt_sha256_update(rt_sha256 *ctx, const void *data, size_t len)
{
	const unsigned char *p = data;

	ctx->bytes += len;
	if (ctx->fill) {
		size_t n = 64 - ctx->fill < len ? 64 - ctx->fill : len;
		memcpy(ctx->block + ctx->fill, p, n);
		ctx->fill += n;
		p += n;
		len -= n;
		if (ctx->fill < 64)
			return;
		pick_blocks()(ctx->state, ctx->block, 1);
		ctx->fill = 0;
	}
	if (len >= 64) {
		pick_blocks()(ctx->state, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	memcpy(ctx->block, p, len);
	ctx->fill = len;
}

void rt_sha256_final(rt_sha256 *ctx, unsigned char out[32])
{
	uint64_t bits = ctx->bytes * 8;
	unsigned char pad[72] = {0x80};
	size_t padlen = (ctx->fill < 56 ? 56 : 120) - ctx->fill;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	rt_sha256_update(ctx, pad, padlen + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(ctx->state[i] >> 24);
		out[4 * i + 1] = (unsigned char)(ctx->state[i] >> 16);
		out[4 * i + 2] = (unsigned char)(ctx->state[i] >> 8);
		out[4 * i + 3] = (unsigned char)ctx->state[i];
	}
}

void rt_sha256_final_hex(rt_sha256 *ctx, char out[RT_SHA256_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[32];
	int i;

	rt_sha256_final(ctx, d);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[RT_SHA256_HEX_LEN] = '\0';
}

int rt_sha256_file(char out[RT_SHA256_HEX_LEN + 1], uint64_t *size_out, const char *path)
{
	enum { CHUNK = 256 * 1024 };
	unsigned char *buf = rt_xmalloc(CHUNK);
	rt_sha256 ctx;
	uint64_t size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), error = 0;

	if (fd < 0) {
		error = rt_error_set_at(RT_ERR_INPUT, path, 0, "cannot open %s: %s", path, strerror(errno));
		goto cleanup;
	}
	rt_sha256_init(&ctx);
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = rt_error_set_at(RT_ERR_FAILED, path, 0, "cannot read %s: %s", path,
						strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		rt_sha256_update(&ctx, buf, (size_t)n);
		size += (uint64_t)n;
	}
	rt_sha256_final_hex(&ctx, out);
	if (size_out)
		*size_out = size;

cleanup:
	if (fd >= 0)
		close(fd);
	free(buf);
	return error;
}
