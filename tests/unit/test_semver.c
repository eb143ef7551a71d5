/*
 * semver: strict SemVer 2.0.0 parsing with messages that say why, the
 * precedence examples of semver.org, and the SPEC's bump levels (including
 * Wasmtime's per-crate major bump: 49.0.0 -> 50.0.0 next to 0.136.0 -> 0.137.0).
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "helpers.h"
#include "semver.h"

/* Parse text that must be valid and check every field. */
static void expect_parts(const char *text, uint64_t major, uint64_t minor, uint64_t patch,
			 const char *pre, const char *build)
{
	rt_semver v;

	cr_assert_eq(rt_semver_parse(&v, text), 0, "'%s' should parse: %s", text,
		     rt_error_last() ? rt_error_last()->message : "?");
	cr_expect_eq(v.major, major, "%s: major", text);
	cr_expect_eq(v.minor, minor, "%s: minor", text);
	cr_expect_eq(v.patch, patch, "%s: patch", text);
	if (pre)
		cr_expect(v.pre && strcmp(v.pre, pre) == 0, "%s: pre-release '%s', want '%s'", text,
			  v.pre ? v.pre : "(null)", pre);
	else
		cr_expect_null(v.pre, "%s: no pre-release expected", text);
	if (build)
		cr_expect(v.build && strcmp(v.build, build) == 0, "%s: build '%s', want '%s'", text,
			  v.build ? v.build : "(null)", build);
	else
		cr_expect_null(v.build, "%s: no build metadata expected", text);
	rt_semver_free(&v);
}

/* Parse text that must be rejected with an input error whose message contains why. */
static void expect_invalid(const char *text, const char *why)
{
	rt_semver v;
	const rt_error *e;

	rt_error_clear();
	cr_assert_eq(rt_semver_parse(&v, text), -1, "'%s' must be rejected", text);
	e = rt_error_last();
	cr_assert_not_null(e, "'%s': an error must be recorded", text);
	cr_expect_eq(e->kind, RT_ERR_INPUT, "'%s': kind %d, want RT_ERR_INPUT", text, e->kind);
	cr_expect_not_null(strstr(e->message, why), "'%s': message '%s' should say '%s'", text,
			   e->message, why);
	cr_expect_null(v.pre, "'%s': nothing allocated on failure", text);
	cr_expect_null(v.build, "'%s': nothing allocated on failure", text);
	rt_error_clear();
}

/* Parse both, compare, free. */
static int cmp(const char *a, const char *b)
{
	rt_semver va, vb;
	int c;

	cr_assert_eq(rt_semver_parse(&va, a), 0, "%s", a);
	cr_assert_eq(rt_semver_parse(&vb, b), 0, "%s", b);
	c = rt_semver_compare(&va, &vb);
	rt_semver_free(&va);
	rt_semver_free(&vb);
	return c;
}

/* Bump text by level and compare the formatted result. */
static void expect_bump(const char *text, rt_bump_level level, const char *want)
{
	rt_semver in, out;
	char *got;

	cr_assert_eq(rt_semver_parse(&in, text), 0, "%s", text);
	cr_assert_eq(rt_semver_bump(&out, &in, level), 0, "bump %s level %d: %s", text, level,
		     rt_error_last() ? rt_error_last()->message : "?");
	got = rt_semver_format(&out);
	cr_expect_str_eq(got, want, "bump %s (level %d) gave %s, want %s", text, level, got, want);
	free(got);
	rt_semver_free(&out);
	rt_semver_free(&in);
}

static void expect_bump_error(const char *text, rt_bump_level level, const char *why)
{
	rt_semver in, out;
	const rt_error *e;

	rt_error_clear();
	cr_assert_eq(rt_semver_parse(&in, text), 0, "%s", text);
	cr_assert_eq(rt_semver_bump(&out, &in, level), -1, "bump %s level %d must fail", text, level);
	e = rt_error_last();
	cr_assert_not_null(e);
	cr_expect_eq(e->kind, RT_ERR_INPUT);
	cr_expect_not_null(strstr(e->message, why), "message '%s' should say '%s'", e->message, why);
	cr_expect_not_null(strstr(e->message, text), "message '%s' should name %s", e->message, text);
	cr_expect_null(out.pre, "nothing left allocated");
	cr_expect_null(out.build, "nothing left allocated");
	rt_semver_free(&in);
	rt_error_clear();
}

Test(semver_parse, core_versions)
{
	expect_parts("0.0.0", 0, 0, 0, NULL, NULL);
	expect_parts("1.2.3", 1, 2, 3, NULL, NULL);
	expect_parts("49.0.0", 49, 0, 0, NULL, NULL);
	expect_parts("0.136.0", 0, 136, 0, NULL, NULL);
	expect_parts("10.20.30", 10, 20, 30, NULL, NULL);
	expect_parts("18446744073709551615.0.1", UINT64_MAX, 0, 1, NULL, NULL);
}

Test(semver_parse, prerelease_and_build)
{
	expect_parts("1.0.0-alpha", 1, 0, 0, "alpha", NULL);
	expect_parts("1.0.0-alpha.1", 1, 0, 0, "alpha.1", NULL);
	expect_parts("1.0.0-0.3.7", 1, 0, 0, "0.3.7", NULL);
	expect_parts("1.0.0-x.7.z.92", 1, 0, 0, "x.7.z.92", NULL);
	expect_parts("1.0.0-x-y-z.--", 1, 0, 0, "x-y-z.--", NULL);
	expect_parts("1.0.0-rc.1", 1, 0, 0, "rc.1", NULL);
	expect_parts("1.0.0-alpha+001", 1, 0, 0, "alpha", "001");
	expect_parts("1.0.0+20130313144700", 1, 0, 0, NULL, "20130313144700");
	expect_parts("1.0.0-beta+exp.sha.5114f85", 1, 0, 0, "beta", "exp.sha.5114f85");
	expect_parts("1.0.0+21AF26D3----117B344092BD", 1, 0, 0, NULL, "21AF26D3----117B344092BD");
	/* "0" alone and alphanumerics starting with 0 are fine in a pre-release */
	expect_parts("1.0.0-0", 1, 0, 0, "0", NULL);
	expect_parts("1.0.0-0abc.0", 1, 0, 0, "0abc.0", NULL);
	expect_parts("1.0.0-00a", 1, 0, 0, "00a", NULL);
	/* a '-' after the first belongs to the pre-release */
	expect_parts("1.0.0-a-b", 1, 0, 0, "a-b", NULL);
}

Test(semver_parse, leading_zeros_in_core)
{
	expect_invalid("01.0.0", "leading zero in major version");
	expect_invalid("1.02.0", "leading zero in minor version");
	expect_invalid("1.0.00", "leading zero in patch version");
	expect_invalid("00.0.0", "leading zero in major version");
}

Test(semver_parse, leading_zero_in_numeric_prerelease_identifier)
{
	expect_invalid("1.0.0-01", "numeric identifier with a leading zero in the pre-release");
	expect_invalid("1.0.0-rc.01", "numeric identifier with a leading zero in the pre-release");
	expect_invalid("1.0.0-alpha.00", "leading zero");
}

Test(semver_parse, build_metadata_may_have_leading_zeros)
{
	expect_parts("1.0.0+001.0002", 1, 0, 0, NULL, "001.0002");
}

Test(semver_parse, empty_identifiers)
{
	expect_invalid("1.0.0-", "empty identifier in the pre-release");
	expect_invalid("1.0.0-alpha.", "empty identifier in the pre-release");
	expect_invalid("1.0.0-.alpha", "empty identifier in the pre-release");
	expect_invalid("1.0.0-alpha..1", "empty identifier in the pre-release");
	expect_invalid("1.0.0+", "empty identifier in the build metadata");
	expect_invalid("1.0.0+a..b", "empty identifier in the build metadata");
	expect_invalid("1.0.0-a+", "empty identifier in the build metadata");
}

Test(semver_parse, bad_characters)
{
	expect_invalid("1.0.0-alpha_1", "character '_' is not allowed in the pre-release");
	expect_invalid("1.0.0-al pha", "character ' ' is not allowed in the pre-release");
	expect_invalid("1.0.0+build!", "character '!' is not allowed in the build metadata");
	expect_invalid("1.0.0+a+b", "character '+' is not allowed in the build metadata");
	expect_invalid("1.0.0 ", "unexpected ' ' after MAJOR.MINOR.PATCH");
	expect_invalid(" 1.0.0", "major version must be a number");
	expect_invalid("1.0.0\n", "unexpected");
	expect_invalid("1.0.0.0", "unexpected '.' after MAJOR.MINOR.PATCH");
	expect_invalid("1.0.0x", "unexpected 'x'");
	expect_invalid("1.a.0", "minor version must be a number");
	expect_invalid("1.0.-1", "patch version must be a number");
	expect_invalid("-1.0.0", "major version must be a number");
	expect_invalid("1,0,0", "expected MAJOR.MINOR.PATCH");
}

Test(semver_parse, v_prefix)
{
	expect_invalid("v1.2.3", "without the leading 'v'");
	expect_invalid("V1.2.3", "without the leading 'v'");
}

Test(semver_parse, missing_parts)
{
	expect_invalid("", "major version must be a number");
	expect_invalid("1", "expected MAJOR.MINOR.PATCH");
	expect_invalid("1.", "minor version must be a number");
	expect_invalid("1.2", "expected MAJOR.MINOR.PATCH");
	expect_invalid("1.2.", "patch version must be a number");
	expect_invalid("1..3", "minor version must be a number");
	expect_invalid("..", "major version must be a number");
	expect_invalid("1.2-rc.1", "expected MAJOR.MINOR.PATCH");
}

Test(semver_parse, overflow)
{
	expect_invalid("18446744073709551616.0.0", "major version is too large");
	expect_invalid("1.18446744073709551616.0", "minor version is too large");
	expect_invalid("1.0.99999999999999999999999", "patch version is too large");
}

Test(semver_parse, message_quotes_the_text)
{
	rt_semver v;

	cr_assert_eq(rt_semver_parse(&v, "1.02.0"), -1);
	cr_expect_not_null(strstr(rt_error_last()->message, "'1.02.0'"), "%s",
			   rt_error_last()->message);
	cr_expect_null(rt_error_last()->file);
	cr_expect_eq(rt_error_exit_status(), 2);
	rt_error_clear();
}

Test(semver_compare, semver_org_precedence_chain)
{
	static const char *const chain[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1",
	};
	size_t n = sizeof(chain) / sizeof(chain[0]), i, j;

	/* every pair, both ways: the order is total and antisymmetric */
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			int c = cmp(chain[i], chain[j]);
			if (i < j)
				cr_expect_lt(c, 0, "%s < %s (got %d)", chain[i], chain[j], c);
			else if (i > j)
				cr_expect_gt(c, 0, "%s > %s (got %d)", chain[i], chain[j], c);
			else
				cr_expect_eq(c, 0, "%s == %s (got %d)", chain[i], chain[j], c);
		}
	}
}

Test(semver_compare, numeric_parts_compare_as_numbers)
{
	cr_expect_lt(cmp("1.9.0", "1.10.0"), 0);
	cr_expect_lt(cmp("1.0.9", "1.0.10"), 0);
	cr_expect_lt(cmp("9.0.0", "10.0.0"), 0);
	cr_expect_lt(cmp("1.0.0-rc.9", "1.0.0-rc.10"), 0);
	cr_expect_lt(cmp("1.0.0-2", "1.0.0-10"), 0);
	/* numeric identifiers sort before alphanumeric ones */
	cr_expect_lt(cmp("1.0.0-1", "1.0.0-a"), 0);
	cr_expect_lt(cmp("1.0.0-999", "1.0.0-0a"), 0);
	/* alphanumerics compare in ASCII order */
	cr_expect_lt(cmp("1.0.0-Beta", "1.0.0-alpha"), 0);
	/* "a.b" has the shorter first identifier "a", a prefix of "a-b" */
	cr_expect_gt(cmp("1.0.0-a-b", "1.0.0-a.b"), 0);
	cr_expect_lt(cmp("0.136.0", "49.0.0"), 0);
	cr_expect_lt(cmp("18446744073709551614.0.0", "18446744073709551615.0.0"), 0);
}

Test(semver_compare, build_metadata_is_ignored)
{
	cr_expect_eq(cmp("1.0.0+a", "1.0.0+b"), 0);
	cr_expect_eq(cmp("1.0.0+a", "1.0.0"), 0);
	cr_expect_eq(cmp("1.0.0-rc.1+build.5", "1.0.0-rc.1"), 0);
	cr_expect_lt(cmp("1.0.0-rc.1+zzz", "1.0.0+aaa"), 0);
}

Test(semver_format, round_trip)
{
	static const char *const texts[] = {
		"0.0.0",         "1.2.3",          "1.0.0-alpha.1",      "1.0.0+001",
		"1.0.0-rc.1+b.2", "0.136.0",       "18446744073709551615.18446744073709551615.18446744073709551615",
		"1.0.0-x-y-z.--", "2.0.0-0.3.7+a-b",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		rt_semver v, copy;
		char *s, *c;

		cr_assert_eq(rt_semver_parse(&v, texts[i]), 0, "%s", texts[i]);
		s = rt_semver_format(&v);
		cr_expect_str_eq(s, texts[i]);
		rt_semver_copy(&copy, &v);
		rt_semver_free(&v);
		cr_expect_null(v.pre);
		cr_expect_null(v.build);
		c = rt_semver_format(&copy);
		cr_expect_str_eq(c, texts[i], "a copy owns its strings");
		free(c);
		free(s);
		rt_semver_free(&copy);
	}
}

Test(semver_bump, major_follows_the_leftmost_nonzero_part)
{
	/* Wasmtime: one run bumps 49.0.0 -> 50.0.0 and its 0.136.0 crates -> 0.137.0 */
	expect_bump("49.0.0", RT_BUMP_MAJOR, "50.0.0");
	expect_bump("0.136.0", RT_BUMP_MAJOR, "0.137.0");
	expect_bump("1.2.3", RT_BUMP_MAJOR, "2.0.0");
	expect_bump("0.3.4", RT_BUMP_MAJOR, "0.4.0");
	expect_bump("0.0.7", RT_BUMP_MAJOR, "0.0.8");
	expect_bump("0.0.0", RT_BUMP_MAJOR, "0.0.1");
}

Test(semver_bump, minor_and_patch)
{
	expect_bump("1.2.3", RT_BUMP_MINOR, "1.3.0");
	expect_bump("0.136.5", RT_BUMP_MINOR, "0.137.0");
	expect_bump("0.0.3", RT_BUMP_MINOR, "0.1.0");
	expect_bump("1.2.3", RT_BUMP_PATCH, "1.2.4");
	expect_bump("49.0.0", RT_BUMP_PATCH, "49.0.1");
	expect_bump("0.0.0", RT_BUMP_PATCH, "0.0.1");
}

Test(semver_bump, numeric_levels_drop_the_prerelease)
{
	expect_bump("1.2.3-rc.1", RT_BUMP_PATCH, "1.2.4");
	expect_bump("1.2.3-alpha", RT_BUMP_MINOR, "1.3.0");
	expect_bump("1.2.3-dev", RT_BUMP_MAJOR, "2.0.0");
}

Test(semver_bump, build_metadata_is_kept)
{
	expect_bump("1.2.3+build.7", RT_BUMP_MAJOR, "2.0.0+build.7");
	expect_bump("0.136.0+wasi", RT_BUMP_MAJOR, "0.137.0+wasi");
	expect_bump("1.2.3+b", RT_BUMP_MINOR, "1.3.0+b");
	expect_bump("1.2.3+b", RT_BUMP_PATCH, "1.2.4+b");
	expect_bump("1.2.3+b", RT_BUMP_RC, "1.2.3-rc.1+b");
	expect_bump("1.2.3-rc.4+b", RT_BUMP_RC, "1.2.3-rc.5+b");
	expect_bump("1.2.3-rc.4+b", RT_BUMP_RELEASE, "1.2.3+b");
}

Test(semver_bump, rc_adds_or_raises)
{
	expect_bump("2.0.0", RT_BUMP_RC, "2.0.0-rc.1");
	expect_bump("2.0.0-rc.1", RT_BUMP_RC, "2.0.0-rc.2");
	expect_bump("2.0.0-rc.0", RT_BUMP_RC, "2.0.0-rc.1");
	expect_bump("2.0.0-rc.9", RT_BUMP_RC, "2.0.0-rc.10");
	expect_bump("2.0.0-rc.99", RT_BUMP_RC, "2.0.0-rc.100");
}

Test(semver_bump, rc_raises_by_number_and_keeps_precedence)
{
	rt_semver in, out;

	cr_assert_eq(rt_semver_parse(&in, "3.0.0-rc.9"), 0);
	cr_assert_eq(rt_semver_bump(&out, &in, RT_BUMP_RC), 0);
	cr_expect_gt(rt_semver_compare(&out, &in), 0, "rc.10 sorts after rc.9");
	rt_semver_free(&out);
	rt_semver_free(&in);
}

Test(semver_bump, rc_on_another_prerelease_is_an_error)
{
	expect_bump_error("1.0.0-beta.2", RT_BUMP_RC, "is not of the form rc.N");
	expect_bump_error("1.0.0-alpha", RT_BUMP_RC, "is not of the form rc.N");
	expect_bump_error("1.0.0-rc", RT_BUMP_RC, "is not of the form rc.N");
	expect_bump_error("1.0.0-rc.1.2", RT_BUMP_RC, "is not of the form rc.N");
	expect_bump_error("1.0.0-rc.x", RT_BUMP_RC, "is not of the form rc.N");
	expect_bump_error("1.0.0-RC.1", RT_BUMP_RC, "is not of the form rc.N");
}

Test(semver_bump, rc_number_overflow_is_an_error)
{
	expect_bump_error("1.0.0-rc.18446744073709551615", RT_BUMP_RC, "too large");
	expect_bump_error("1.0.0-rc.99999999999999999999999", RT_BUMP_RC, "too large");
}

Test(semver_bump, release_drops_the_prerelease)
{
	expect_bump("1.0.0-rc.3", RT_BUMP_RELEASE, "1.0.0");
	expect_bump("0.137.0-alpha.1", RT_BUMP_RELEASE, "0.137.0");
}

Test(semver_bump, release_without_prerelease_is_an_error)
{
	expect_bump_error("1.0.0", RT_BUMP_RELEASE, "is not a pre-release");
	expect_bump_error("1.0.0+b", RT_BUMP_RELEASE, "is not a pre-release");
}

Test(semver_bump, numeric_overflow_is_an_error_not_a_wrap)
{
	expect_bump_error("18446744073709551615.0.0", RT_BUMP_MAJOR, "too large");
	expect_bump_error("0.18446744073709551615.0", RT_BUMP_MAJOR, "too large");
	expect_bump_error("0.0.18446744073709551615", RT_BUMP_MAJOR, "too large");
	expect_bump_error("1.18446744073709551615.0", RT_BUMP_MINOR, "too large");
	expect_bump_error("1.2.18446744073709551615", RT_BUMP_PATCH, "too large");
	/* one below the limit still works */
	expect_bump("18446744073709551614.5.5", RT_BUMP_MAJOR, "18446744073709551615.0.0");
}

Test(semver_bump, input_is_untouched)
{
	rt_semver in, out;
	char *s;

	cr_assert_eq(rt_semver_parse(&in, "1.2.3-rc.1+b"), 0);
	cr_assert_eq(rt_semver_bump(&out, &in, RT_BUMP_RC), 0);
	s = rt_semver_format(&in);
	cr_expect_str_eq(s, "1.2.3-rc.1+b");
	cr_expect_neq(out.pre, in.pre, "the result owns its own strings");
	cr_expect_neq(out.build, in.build, "the result owns its own strings");
	free(s);
	rt_semver_free(&out);
	rt_semver_free(&in);
}

