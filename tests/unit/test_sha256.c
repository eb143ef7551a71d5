/*
 * sha256: FIPS 180-4's own examples (NIST's "abc", the two-block 448-bit
 * and 896-bit messages, a million 'a'), the padding boundaries around 55,
 * 56 and 64 bytes (expected values from Python's hashlib), any split of
 * the input into update calls, and files read in pieces.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <unistd.h>

#include "helpers.h"
#include "sha256.h"

static void hex_of(char out[65], const void *data, size_t len)
{
	rt_sha256 ctx;

	rt_sha256_init(&ctx);
	rt_sha256_update(&ctx, data, len);
	rt_sha256_final_hex(&ctx, out);
}

static void check(const char *msg, const char *expected)
{
	char hex[65];

	hex_of(hex, msg, strlen(msg));
	cr_assert_str_eq(hex, expected, "SHA-256(\"%.20s...\")", msg);
}

Test(sha256, fips_180_4_examples)
{
	check("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, one_million_a)
{
	char *m = rt_xmalloc(1000000);
	char hex[65];

	memset(m, 'a', 1000000);
	hex_of(hex, m, 1000000);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

static const struct {
	size_t len;
	const char *hex;
} boundaries[] = {
	{55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
	{56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
	{57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73"},
	{63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
	{64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
	{65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
	{119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
	{120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
	{128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
};

static void pattern(unsigned char *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (unsigned char)((i * 7 + 3) & 255);
}

Test(sha256, padding_boundaries)
{
	unsigned char d[200];
	char hex[65];

	pattern(d, sizeof(d));
	for (size_t i = 0; i < sizeof(boundaries) / sizeof(boundaries[0]); i++) {
		hex_of(hex, d, boundaries[i].len);
		cr_assert_str_eq(hex, boundaries[i].hex, "length %zu", boundaries[i].len);
	}
}

Test(sha256, any_split_into_updates_gives_the_same_digest)
{
	unsigned char d[200];
	char whole[65], parts[65];

	pattern(d, sizeof(d));
	hex_of(whole, d, 128);
	for (size_t a = 0; a <= 128; a += 3) {
		for (size_t b = a; b <= 128; b += 17) {
			rt_sha256 ctx;
			rt_sha256_init(&ctx);
			rt_sha256_update(&ctx, d, a);
			rt_sha256_update(&ctx, d + a, b - a);
			rt_sha256_update(&ctx, d + b, 0);
			rt_sha256_update(&ctx, d + b, 128 - b);
			rt_sha256_final_hex(&ctx, parts);
			cr_assert_str_eq(parts, whole, "split at %zu and %zu", a, b);
		}
	}
	cr_assert_str_eq(whole, boundaries[8].hex);
}

Test(sha256, file_hashed_in_pieces)
{
	char *dir = test_tmpdir(), *path = rt_xsprintf("%s/f", dir), hex[65];
	size_t n = 1000000 + 13;
	char *m = rt_xmalloc(n);
	uint64_t size = 0;
	int fd;

	memset(m, 'a', n);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, m, 1000000), 1000000);
	close(fd);
	cr_assert_eq(rt_sha256_file(hex, &size, path), 0);
	cr_assert_eq(size, 1000000);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	unlink(path);
	cr_assert_eq(rt_sha256_file(hex, &size, path), -1);
	cr_assert_not_null(strstr(rt_error_last()->message, path));
	rt_error_clear();
	rmdir(dir);
	free(m);
	free(path);
	free(dir);
}

/* The portable path and the x86 SHA-extensions path (when this CPU has
 * them) give the same digest of a long odd-sized input. Each Criterion
 * test is its own process, so the environment picks the path. */
static void long_input(const char *expected)
{
	size_t n = 1000003;
	unsigned char *d = rt_xmalloc(n);
	char hex[65];

	pattern(d, n);
	hex_of(hex, d, n);
	cr_assert_str_eq(hex, expected);
	free(d);
}

#define LONG_SHA "987ab1b5b3b71c1d1053a817cffc3695c96e78c2b068d558c6b340a8255c3ed8"

Test(sha256, portable_path)
{
	setenv("RELEASE_TRAIN_SHA256_PORTABLE", "1", 1);
	cr_assert(!rt_sha256_accelerated());
	long_input(LONG_SHA);
	check("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, accelerated_path_when_the_cpu_has_it)
{
	unsetenv("RELEASE_TRAIN_SHA256_PORTABLE");
	if (!rt_sha256_accelerated())
		cr_log_info("no SHA extensions on this CPU: the portable path again");
	long_input(LONG_SHA);
}
