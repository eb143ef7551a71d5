/*
 * fuzz_semver: libFuzzer target for semver.c.
 *
 * Build and run (about a minute finds what a minute can find):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE \
 *     -DRT_VERSION='"x"' fuzz/fuzz_semver.c src/semver.c src/buf.c src/error.c \
 *     -o build/fuzz_semver
 *   mkdir -p build/fuzz-corpus && build/fuzz_semver -max_total_time=60 build/fuzz-corpus
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks the
 * properties the rest of the program relies on: a parsed version formats
 * back to exactly its text and re-parses to an equal value; comparison is
 * reflexive and antisymmetric; every bump either fails with an input
 * error or yields a valid version that sorts after its input (except rc
 * on a release, which adds a pre-release and so sorts before it). Each
 * parsed version is also tried with one part at UINT64_MAX (and one and
 * two below), the edge that random text rarely reaches.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_bumps(const rt_semver *v)
{
	static const rt_bump_level levels[] = {RT_BUMP_MAJOR, RT_BUMP_MINOR, RT_BUMP_PATCH,
					       RT_BUMP_RC, RT_BUMP_RELEASE};
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		rt_semver out, again;
		char *text;
		int c;

		if (rt_semver_bump(&out, v, levels[i]) < 0) {
			check(rt_error_last() != NULL && rt_error_last()->kind == RT_ERR_INPUT);
			check(out.pre == NULL && out.build == NULL);
			rt_error_clear();
			continue;
		}
		/* the result is itself a valid version with the same build metadata */
		text = rt_semver_format(&out);
		check(rt_semver_parse(&again, text) == 0);
		check(rt_semver_compare(&again, &out) == 0);
		check((v->build == NULL) == (out.build == NULL));
		check(!v->build || strcmp(v->build, out.build) == 0);
		c = rt_semver_compare(&out, v);
		if (levels[i] == RT_BUMP_RC && !v->pre)
			check(c < 0); /* 1.2.3 -> 1.2.3-rc.1 */
		else
			check(c > 0);
		rt_semver_free(&again);
		rt_semver_free(&out);
		free(text);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = rt_xstrndup((const char *)data, size);
	size_t half = strlen(text) / 2;
	rt_semver v, w;

	/* the text stops at the first NUL, as every C caller would give it */
	if (rt_semver_parse(&v, text) == 0) {
		char *formatted = rt_semver_format(&v);
		check(strcmp(formatted, text) == 0);
		check(rt_semver_parse(&w, formatted) == 0);
		check(rt_semver_compare(&v, &w) == 0);
		rt_semver_free(&w);
		free(formatted);
		check_bumps(&v);

		/* the same version with one part at the top of its range, where a
		 * bump must fail instead of wrapping to 0 (random inputs rarely spell
		 * 18446744073709551615) */
		{
			uint64_t top = UINT64_MAX - (size > 0 ? data[0] % 3 : 0);
			uint64_t *parts[] = {&v.major, &v.minor, &v.patch};
			for (size_t i = 0; i < 3; i++) {
				uint64_t saved = *parts[i];
				*parts[i] = top;
				check_bumps(&v);
				*parts[i] = saved;
			}
		}

		/* split the input into two versions where possible and compare them */
		{
			char *left = rt_xstrndup(text, half);
			rt_semver a;
			if (rt_semver_parse(&a, left) == 0) {
				int ab = rt_semver_compare(&a, &v), ba = rt_semver_compare(&v, &a);
				check((ab < 0 && ba > 0) || (ab > 0 && ba < 0) || (ab == 0 && ba == 0));
				rt_semver_free(&a);
			} else {
				rt_error_clear();
			}
			free(left);
		}
		rt_semver_free(&v);
	} else {
		const rt_error *e = rt_error_last();
		check(e != NULL && e->kind == RT_ERR_INPUT && e->message && *e->message);
		check(v.pre == NULL && v.build == NULL);
		rt_error_clear();
	}

	/* two versions separated by a space: total order properties on pairs */
	{
		char *space = strchr(text, ' ');
		if (space) {
			rt_semver a, b;
			*space = '\0';
			if (rt_semver_parse(&a, text) == 0) {
				if (rt_semver_parse(&b, space + 1) == 0) {
					int ab = rt_semver_compare(&a, &b), ba = rt_semver_compare(&b, &a);
					check((ab < 0) == (ba > 0) && (ab == 0) == (ba == 0));
					rt_semver_free(&b);
				}
				rt_semver_free(&a);
			}
			rt_error_clear();
		}
	}
	free(text);
	return 0;
}
