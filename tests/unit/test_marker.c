/* marker: whole-line marker and Release-Train trailer detection. */
#include <criterion/criterion.h>

#include <git2.h>

#include "marker.h"

#define M "[automatically-tag-and-release-this-commit]"

static void setup(void)
{
	git_libgit2_init();
}

static void teardown(void)
{
	git_libgit2_shutdown();
}

TestSuite(marker, .init = setup, .fini = teardown);

Test(marker, subject_line)
{
	cr_assert(rt_marker_in_message(M "\n", M));
	cr_assert(rt_marker_in_message(M, M), "no final newline");
}

Test(marker, body_line)
{
	cr_assert(rt_marker_in_message("Release wasmtime 50.0.0\n\n" M "\n", M));
	cr_assert(rt_marker_in_message("Release\n\nsome text\n" M "\nmore text\n", M));
}

Test(marker, blanks_and_crlf_around_the_line)
{
	cr_assert(rt_marker_in_message("Release\r\n\r\n  " M "  \r\n", M));
	cr_assert(rt_marker_in_message("Release\n\n\t" M "\n", M));
}

Test(marker, quoted_inside_a_sentence_does_not_count)
{
	cr_assert_not(rt_marker_in_message("Docs: add " M " to release commits\n", M));
	cr_assert_not(rt_marker_in_message("Fix\n\nThe line `" M "` marks a release.\n", M));
	cr_assert_not(rt_marker_in_message("Fix\n\n> " M "\n", M), "quoted in a reply");
	cr_assert_not(rt_marker_in_message("Fix\n\n" M "x\n", M), "longer word");
}

Test(marker, squash_merge_message)
{
	const char *msg = "Release wasmtime 50.0.0 (#9999)\n\n"
			  "* Release wasmtime 50.0.0\n\n" M "\n\n"
			  "* Update RELEASES.md\n\nCo-authored-by: A <a@example.com>\n";
	cr_assert(rt_marker_in_message(msg, M));
}

Test(marker, no_marker)
{
	cr_assert_not(rt_marker_in_message("Fix a bug\n\nDetails.\n", M));
	cr_assert_not(rt_marker_in_message("", M));
}

Test(marker, empty_marker_never_matches)
{
	cr_assert_not(rt_marker_in_message("Fix\n\n\n", ""));
}

Test(marker, custom_marker)
{
	cr_assert(rt_marker_in_message("Bump\n\n[release]\n", "[release]"));
	cr_assert_not(rt_marker_in_message("Bump\n\n" M "\n", "[release]"));
}

Test(marker, trailer_counts)
{
	cr_assert(rt_marker_in_message("Release 1.2.0\n\nNotes here.\n\nRelease-Train: yes\n", M));
	cr_assert(rt_marker_in_message("Release 1.2.0\n\nSigned-off-by: A <a@x>\nrelease-train: Yes\n", M));
}

Test(marker, trailer_must_be_in_the_trailer_block_and_say_yes)
{
	cr_assert_not(rt_marker_in_message("Release 1.2.0\n\nRelease-Train: no\n", M));
	cr_assert_not(rt_marker_in_message("Release-Train: yes\n", M), "the subject is not a trailer");
	cr_assert_not(rt_marker_in_message("Fix\n\nRelease-Train: yes\n\nMore prose after it.\n", M));
}
