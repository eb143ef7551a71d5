/* notes: sections of RELEASES.md / CHANGELOG.md files, on hand-written
 * cases and on Wasmtime's real RELEASES.md (tests/fixtures/notes). */
#include <criterion/criterion.h>

#include "helpers.h"
#include "notes.h"

#define FIXTURES "tests/fixtures/notes/"

static char *extract(const char *text, const char *version)
{
	char *out = NULL;
	int error = rt_notes_extract(&out, text, strlen(text), version, "RELEASES.md", 0);
	if (error < 0) {
		rt_error_clear();
		return NULL;
	}
	return out;
}

static char *mark(const char *text, const char *version, bool *changed)
{
	rt_buf out = RT_BUF_INIT;
	if (rt_notes_mark_released(&out, changed, text, strlen(text), version, "2026-12-20",
				   "RELEASES.md") < 0) {
		rt_error_clear();
		rt_buf_free(&out);
		return NULL;
	}
	return rt_buf_detach(&out);
}

Test(notes, exact_version_never_matches_a_longer_number)
{
	const char *text = "# Changes\n\n## 47.0.4\n\nforty-seven\n\n## 7.0.4\n\nseven\n\n## 7.0.41\n\nother\n";
	char *s = extract(text, "7.0.4");
	cr_assert_str_eq(s, "seven");
	free(s);
	s = extract(text, "47.0.4");
	cr_assert_str_eq(s, "forty-seven");
	free(s);
	cr_assert_null(extract(text, "0.4"));
	cr_assert_null(extract(text, "7.0"));
}

Test(notes, prerelease_has_its_own_section_or_uses_the_core)
{
	const char *text = "## 2.0.0-rc.2\n\nrc two\n\n## 2.0.0\n\ncore\n\n## 1.0.0\n\nold\n";
	char *s = extract(text, "2.0.0-rc.2");
	cr_assert_str_eq(s, "rc two");
	free(s);
	s = extract(text, "2.0.0-rc.1");
	cr_assert_str_eq(s, "core", "the RC without a section of its own takes its core version's");
	free(s);
	/* 1.0.0 must not pick up 1.0.0-rc.X's heading, nor the reverse */
	s = extract("## 1.0.0-rc.1\n\nrc\n", "1.0.0");
	cr_assert_null(s);
}

Test(notes, keep_a_changelog_headings)
{
	const char *text = "# Changelog\n\n## [Unreleased]\n\n- wip\n\n## [1.2.3] - 2024-01-05\n\n"
			   "### Added\n\n- a thing\n\n## [1.2.2] - 2023-12-01\n\n- old\n\n"
			   "[1.2.3]: https://example.com/compare/v1.2.2...v1.2.3\n";
	char *s = extract(text, "1.2.3");
	cr_assert_str_eq(s, "### Added\n\n- a thing");
	free(s);
}

Test(notes, v_prefix_and_trailing_dot_and_date)
{
	char *s = extract("# v3.1.0 (2024-05-01)\n\nbody\n# v3.0.0\n", "3.1.0");
	cr_assert_str_eq(s, "body");
	free(s);
	s = extract("## Version 3.1.0.\nbody\n", "3.1.0");
	cr_assert_str_eq(s, "body");
	free(s);
	cr_assert_null(extract("## dev3.1.0\nbody\n", "3.1.0"));
	cr_assert_null(extract("## 3.1.0.1\nbody\n", "3.1.0"));
}

Test(notes, deeper_headings_stay_in_the_section_code_fences_are_not_headings)
{
	const char *text = "## 1.0.0\n\n### Fixed\n\n```sh\n# 2.0.0 is not a heading\n## nor this\n```\n\n## 0.9.0\n";
	char *s = extract(text, "1.0.0");
	cr_assert_str_eq(s, "### Fixed\n\n```sh\n# 2.0.0 is not a heading\n## nor this\n```");
	free(s);
	cr_assert_null(extract(text, "2.0.0"));
}

Test(notes, crlf_text_keeps_its_line_ends)
{
	char *s = extract("## 1.0.0\r\n\r\nline one\r\nline two\r\n\r\n## 0.1.0\r\n", "1.0.0");
	cr_assert_str_eq(s, "line one\r\nline two");
	free(s);
}

Test(notes, wasmtime_release_branch_layout)
{
	char *text = test_slurp(FIXTURES "wasmtime-release-20.0.0.md");
	char *s = extract(text, "20.0.1");
	cr_assert_not_null(s);
	cr_assert(strncmp(s, "Released 2024-05-03.\n\n### Added\n", 32) == 0, "got: %s", s);
	cr_assert(strstr(s, "#8496") != NULL);
	cr_assert(strstr(s, "-----") == NULL, "the dashed rule closes the section");
	cr_assert(strstr(s, "20.0.0") == NULL);
	free(s);
	s = extract(text, "20.0.0-rc.1"); /* Wasmtime heads its RC notes with the core version */
	cr_assert_not_null(s);
	cr_assert(strncmp(s, "Released 2024-04-22.", 20) == 0);
	cr_assert(strstr(s, "#8066") != NULL, "the last entry of 20.0.0 is kept");
	cr_assert(strstr(s, "19.0.0") == NULL);
	free(s);
	free(text);
}

Test(notes, wasmtime_main_layout_stops_before_the_archive)
{
	char *text = test_slurp(FIXTURES "wasmtime-main.md");
	char *s = extract(text, "49.0.0");
	cr_assert_str_eq(s, "Unreleased.\n\n### Added\n\n### Changed");
	free(s);
	cr_assert_null(extract(text, "48.0.0"), "an archive link is not a heading");
	free(text);
}

Test(notes, cut_to_the_limit_with_a_note)
{
	rt_buf text = RT_BUF_INIT;
	char *out = NULL;
	size_t chars = 0;
	int i;

	rt_buf_puts(&text, "## 1.0.0\n\n");
	for (i = 0; i < 3000; i++)
		rt_buf_puts(&text, "* \xc3\xa9l\xc3\xa9ment num\xc3\xa9ro quelconque\n"); /* UTF-8 */
	cr_assert_eq(rt_notes_extract(&out, text.ptr, text.len, "1.0.0", "CHANGELOG.md", 10000), 0);
	for (const char *p = out; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	cr_assert_leq(chars, 10000);
	cr_assert_gt(chars, 9000);
	cr_assert_not_null(strstr(out, "cut to GitHub's length limit; the full text is in CHANGELOG.md"));
	/* the cut happens at a line end, never inside a UTF-8 sequence */
	cr_assert_not_null(strstr(out, "quelconque\n\n*(These notes"));
	free(out);
	rt_buf_free(&text);
}

Test(notes, missing_section_is_an_error_naming_the_file)
{
	char *out = NULL;
	cr_assert_eq(rt_notes_extract(&out, "## 1.0.0\n", 9, "2.0.0", "RELEASES.md", 0), RT_ENOTFOUND);
	cr_assert_eq(rt_error_last()->kind, RT_ERR_INPUT);
	cr_assert_str_eq(rt_error_last()->file, "RELEASES.md");
	cr_assert_not_null(strstr(rt_error_last()->message, "no section for version 2.0.0"));
	rt_error_clear();
}

Test(notes, mark_released_keeps_every_other_byte)
{
	bool changed;
	char *s = mark("## 50.0.0\n\nUnreleased.\n\n### Added\n\n## 49.0.0\n\nReleased 2026-11-20.\n", "50.0.0",
		       &changed);
	cr_assert(changed);
	cr_assert_str_eq(s, "## 50.0.0\n\nReleased 2026-12-20.\n\n### Added\n\n## 49.0.0\n\nReleased 2026-11-20.\n");
	free(s);
	s = mark("## 1.0.0\r\n\r\n  Unreleased  \r\n", "1.0.0", &changed);
	cr_assert(changed);
	cr_assert_str_eq(s, "## 1.0.0\r\n\r\n  Released 2026-12-20  \r\n");
	free(s);
	s = mark("## 1.0.0\n\nUnreleased", "1.0.0", &changed);
	cr_assert_str_eq(s, "## 1.0.0\n\nReleased 2026-12-20", "no final newline stays so");
	free(s);
}

Test(notes, mark_released_touches_only_the_whole_line_in_its_own_section)
{
	bool changed;
	const char *text = "## 2.0.0\n\nUnreleased.\n\n## 1.0.0\n\nUnreleased changes were merged.\n";
	char *s = mark(text, "1.0.0", &changed);
	cr_assert_not(changed, "a sentence that starts with Unreleased is not the marker line");
	cr_assert_str_eq(s, text);
	free(s);
	s = mark("## 1.0.0\n\nReleased 2026-01-01.\n", "1.0.0", &changed);
	cr_assert_not(changed, "a second run changes nothing");
	free(s);
	cr_assert_null(mark("## 2.0.0-rc.1\n\nUnreleased.\n", "2.0.0", &changed));
}

Test(notes, mark_released_on_wasmtime_main)
{
	bool changed;
	char *text = test_slurp(FIXTURES "wasmtime-main.md");
	char *s = mark(text, "49.0.0", &changed);
	cr_assert(changed);
	cr_assert_eq(strlen(s), strlen(text) + strlen("Released 2026-12-20") - strlen("Unreleased"));
	cr_assert(strncmp(s, "## 49.0.0\n\nReleased 2026-12-20.\n\n### Added", 42) == 0);
	cr_assert_str_eq(strstr(s, "### Added"), strstr(text, "### Added"));
	free(s);
	free(text);
}
