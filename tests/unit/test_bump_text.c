/*
 * The small text modules of the bump mode: template placeholders, the
 * only-on calendar, version files (Wasmtime's C header, package.json,
 * pyproject, VERSION) and semver with a prerelease-id.
 */
#include <criterion/criterion.h>

#include "calendar.h"
#include "helpers.h"
#include "semver.h"
#include "template.h"
#include "versionfile.h"

static const rt_template_vars vars = {"wasmtime", "50.0.0-dev", "49.0.0-dev", "49.0.0",
				      "[automatically-tag-and-release-this-commit]"};

Test(template, placeholders)
{
	char *out;

	cr_assert_eq(rt_template_expand(&out, "release-{previous-core}", &vars, "cut-branch"), 0);
	cr_expect_str_eq(out, "release-49.0.0");
	free(out);
	cr_assert_eq(rt_template_expand(&out, "Release {name} {version} (was {previous-version})\n\n{marker}", &vars, "x"), 0);
	cr_expect_str_eq(out, "Release wasmtime 50.0.0-dev (was 49.0.0-dev)\n\n[automatically-tag-and-release-this-commit]");
	free(out);
	cr_assert_eq(rt_template_expand(&out, "fn f() {} { \"a\": 1 } {", &vars, "pr-body"), 0);
	cr_expect_str_eq(out, "fn f() {} { \"a\": 1 } {");
	free(out);
}

Test(template, unknown_placeholder_is_bad_input)
{
	char *out;

	cr_assert_eq(rt_template_expand(&out, "ci/bump-to-{verison}", &vars, "branch"), -1);
	cr_expect_null(out);
	cr_expect_eq(rt_error_last()->kind, RT_ERR_INPUT);
	cr_expect(strstr(rt_error_last()->message, "{verison}") && strstr(rt_error_last()->message, "'branch'"));
	rt_error_clear();
}

static bool on(const char *spec, int y, int m, int d)
{
	bool match = false;
	cr_assert_eq(rt_calendar_matches(&match, spec, y, m, d), 0, "%s", spec);
	return match;
}

Test(calendar, rules)
{
	/* 2026-09: the 1st is a Tuesday; Mondays 7, 14, 21, 28; Fridays 4 .. 25 */
	cr_expect(on("2nd monday", 2026, 9, 14));
	cr_expect_not(on("2nd monday", 2026, 9, 7));
	cr_expect(on("first friday", 2026, 9, 4));
	cr_expect(on("1st Fri", 2026, 9, 4));
	cr_expect(on("last friday", 2026, 9, 25));
	cr_expect_not(on("last friday", 2026, 9, 18));
	cr_expect(on("last day", 2026, 9, 30));
	cr_expect(on("last day", 2028, 2, 29));
	cr_expect_not(on("last day", 2028, 2, 28));
	cr_expect(on("day 5", 2026, 9, 5));
	cr_expect(on("day 5, day 20", 2026, 9, 20));
	cr_expect(on("2nd monday\nlast day", 2026, 9, 30));
}

Test(calendar, bad_rules)
{
	const char *bad[] = {"second mon day", "6th monday", "day 32", "every monday", "", "monday"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(rt_calendar_check(bad[i]), -1, "'%s' must be refused", bad[i]);
		cr_expect_eq(rt_error_last() ? rt_error_last()->kind : 0, RT_ERR_INPUT);
		rt_error_clear();
	}
}

static void expect_file(const char *path, const char *in, const char *version, const char *want)
{
	rt_buf out = RT_BUF_INIT;

	cr_assert_eq(rt_versionfile_edit(&out, path, in, strlen(in), version), 0, "%s: %s", path,
		     rt_error_last() ? rt_error_last()->message : "");
	cr_expect_str_eq(rt_buf_cstr(&out), want);
	rt_buf_free(&out);
}

Test(versionfile, formats)
{
	expect_file("crates/c-api/include/wasmtime.h",
		    "/**\n * \\brief Wasmtime version string.\n */\n#define WASMTIME_VERSION \"49.0.0-dev\"\n"
		    "#define WASMTIME_VERSION_MAJOR 49\n#define WASMTIME_VERSION_MINOR 0\n#define WASMTIME_VERSION_PATCH 0\n",
		    "49.0.1-rc.2",
		    "/**\n * \\brief Wasmtime version string.\n */\n#define WASMTIME_VERSION \"49.0.1-rc.2\"\n"
		    "#define WASMTIME_VERSION_MAJOR 49\n#define WASMTIME_VERSION_MINOR 0\n#define WASMTIME_VERSION_PATCH 1\n");
	expect_file("package.json", "{\n  \"name\": \"x\",\n  \"dependencies\": {\"version\": \"1.0.0\"},\n  \"version\" : \"1.2.3\"\n}",
		    "2.0.0", "{\n  \"name\": \"x\",\n  \"dependencies\": {\"version\": \"1.0.0\"},\n  \"version\" : \"2.0.0\"\n}");
	expect_file("py/pyproject.toml", "[tool.x]\nversion = \"0\"\n[project]\nname = \"x\"\nversion = '1.2.3'\r\n",
		    "1.3.0", "[tool.x]\nversion = \"0\"\n[project]\nname = \"x\"\nversion = '1.3.0'\r\n");
	expect_file("VERSION", "1.2.3\n", "1.2.4", "1.2.4\n");
	expect_file("VERSION", "1.2.3", "1.2.4", "1.2.4");
}

Test(versionfile, no_version_is_an_error)
{
	rt_buf out = RT_BUF_INIT;

	cr_expect_eq(rt_versionfile_edit(&out, "include/x.h", "#define X 1\n", 12, "1.0.0"), -1);
	cr_expect(strstr(rt_error_last()->message, "include/x.h") != NULL);
	rt_error_clear();
	rt_buf_free(&out);
}

static void expect_pre(const char *in, rt_bump_level level, const char *id, const char *want)
{
	rt_semver v, out;
	char *got;

	cr_assert_eq(rt_semver_parse(&v, in), 0);
	cr_assert_eq(rt_semver_bump_pre(&out, &v, level, id), 0, "%s level %d", in, level);
	got = rt_semver_format(&out);
	cr_expect_str_eq(got, want, "%s (level %d, id %s) gave %s, want %s", in, level, id, got, want);
	free(got);
	rt_semver_free(&out);
	rt_semver_free(&v);
}

Test(semver_prerelease_id, wasmtime_lifecycle)
{
	expect_pre("49.0.0-dev", RT_BUMP_MAJOR, "dev", "50.0.0-dev");
	expect_pre("0.136.0-dev", RT_BUMP_MAJOR, "dev", "0.137.0-dev");
	expect_pre("49.0.0", RT_BUMP_MINOR, "dev", "49.1.0-dev");
	expect_pre("49.0.0-dev", RT_BUMP_RC, "dev", "49.0.0-rc.1");
	expect_pre("49.0.0", RT_BUMP_RC, "dev", "49.0.0-rc.1");
	expect_pre("49.0.0-rc.1", RT_BUMP_RC, "dev", "49.0.0-rc.2");
	expect_pre("49.0.0-rc.2", RT_BUMP_RELEASE, "dev", "49.0.0");
	expect_pre("49.0.0", RT_BUMP_PATCH, "dev", "49.0.1");
	expect_pre("49.0.1-rc.1", RT_BUMP_PATCH, "dev", "49.0.2-rc.1");
	expect_pre("49.0.0-dev+b.1", RT_BUMP_MAJOR, "dev", "50.0.0-dev+b.1");
	expect_pre("1.2.3-rc.1", RT_BUMP_PATCH, NULL, "1.2.4"); /* without an id: as before */
}
