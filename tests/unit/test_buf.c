/*
 * buf and error: the owned buffer every outside string goes through, the
 * atomic file write every edit uses, and the one error record that main
 * turns into the single ::error:: line and the exit status.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static char *dir;

static void make_dir(void)
{
	dir = test_tmpdir();
	cr_assert_not_null(dir);
}

/* Remove the temporary directory and everything in it (one level). */
static void remove_dir(void)
{
	DIR *d;
	struct dirent *e;

	if (!dir)
		return;
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL) {
		char *p;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = rt_xsprintf("%s/%s", dir, e->d_name);
		if (unlink(p) < 0)
			rmdir(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
	dir = NULL;
	rt_error_clear();
}

/* Names in dir, sorted is not needed: returns how many entries and whether any is a temp file. */
static size_t count_entries(int *temps)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	*temps = 0;
	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (strstr(e->d_name, ".rt-tmp-"))
			(*temps)++;
	}
	closedir(d);
	return n;
}

/* ---- buffers ---- */

Test(buf, empty_buffer_is_an_empty_string)
{
	rt_buf b = RT_BUF_INIT;

	cr_expect_str_eq(rt_buf_cstr(&b), "");
	cr_expect_eq(b.len, 0);
	cr_expect_null(b.ptr, "nothing is allocated before the first write");
	rt_buf_free(&b);
	rt_buf_free(&b); /* freeing twice is harmless */
}

Test(buf, growth_keeps_content_and_terminator)
{
	rt_buf b = RT_BUF_INIT;
	size_t i;

	for (i = 0; i < 100000; i++) {
		rt_buf_putc(&b, (char)('a' + i % 26));
		cr_assert_lt(b.len, b.cap, "room for the terminator at %zu", i);
	}
	cr_expect_eq(b.len, 100000);
	cr_expect_eq(b.ptr[b.len], '\0');
	cr_expect_eq(strlen(b.ptr), 100000);
	for (i = 0; i < 100000; i++)
		if (b.ptr[i] != (char)('a' + i % 26))
			cr_assert_fail("byte %zu is '%c'", i, b.ptr[i]);
	rt_buf_free(&b);
	cr_expect_null(b.ptr);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(b.cap, 0);
}

Test(buf, put_keeps_embedded_nuls)
{
	rt_buf b = RT_BUF_INIT;

	rt_buf_put(&b, "a\0b", 3);
	rt_buf_put(&b, "", 0);
	cr_expect_eq(b.len, 3);
	cr_expect_eq(memcmp(b.ptr, "a\0b\0", 4), 0);
	rt_buf_free(&b);
}

Test(buf, puts_putc_printf_append)
{
	rt_buf b = RT_BUF_INIT;
	char big[300];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rt_buf_puts(&b, "v=");
	rt_buf_printf(&b, "%d.%d.%d", 49, 0, 0);
	rt_buf_putc(&b, ';');
	rt_buf_printf(&b, "%s|", big); /* longer than the first allocation */
	rt_buf_printf(&b, "%s", "");
	cr_expect_eq(b.len, strlen("v=49.0.0;") + 299 + 1);
	cr_expect_eq(strncmp(b.ptr, "v=49.0.0;xxx", 12), 0);
	cr_expect_eq(b.ptr[b.len - 1], '|');
	cr_expect_eq(b.ptr[b.len], '\0');
	rt_buf_free(&b);
}

Test(buf, truncate)
{
	rt_buf b = RT_BUF_INIT;

	rt_buf_puts(&b, "hello world");
	rt_buf_truncate(&b, 5);
	cr_expect_str_eq(rt_buf_cstr(&b), "hello");
	cr_expect_eq(b.len, 5);
	rt_buf_truncate(&b, 50); /* longer than the content: no change */
	cr_expect_str_eq(rt_buf_cstr(&b), "hello");
	rt_buf_truncate(&b, 0);
	cr_expect_str_eq(rt_buf_cstr(&b), "");
	rt_buf_puts(&b, "again");
	cr_expect_str_eq(rt_buf_cstr(&b), "again");
	rt_buf_free(&b);
}

Test(buf, detach_hands_over_and_resets)
{
	rt_buf b = RT_BUF_INIT;
	char *s;

	rt_buf_puts(&b, "owned");
	s = rt_buf_detach(&b);
	cr_expect_str_eq(s, "owned");
	cr_expect_null(b.ptr);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(b.cap, 0);
	free(s);

	/* a never-written buffer still detaches to a freeable "" */
	s = rt_buf_detach(&b);
	cr_assert_not_null(s);
	cr_expect_str_eq(s, "");
	free(s);

	/* the buffer is reusable after detach */
	rt_buf_puts(&b, "next");
	cr_expect_str_eq(rt_buf_cstr(&b), "next");
	rt_buf_free(&b);
}

Test(buf, string_helpers)
{
	char *a = rt_xstrdup("release");
	char *b = rt_xstrndup("release-train", 7);
	char *c = rt_xsprintf("%s-%s %d%%", "release", "train", 100);

	cr_expect_str_eq(a, "release");
	cr_expect_str_eq(b, "release");
	cr_expect_str_eq(c, "release-train 100%");
	free(a);
	free(b);
	free(c);
	a = rt_xcalloc(4, 4);
	for (int i = 0; i < 16; i++)
		cr_expect_eq(a[i], 0);
	a = rt_xrealloc(a, 64);
	free(a);
	free(rt_xmalloc(0)); /* zero-size allocations are valid pointers */
}

/* ---- files ---- */

Test(buf_file, read_whole_file_appending, .init = make_dir, .fini = remove_dir)
{
	char *path = rt_xsprintf("%s/f", dir);
	rt_buf b = RT_BUF_INIT;
	size_t i;
	FILE *f = fopen(path, "wb");

	/* larger than the 64 KiB read chunk, with NULs */
	for (i = 0; i < 200000; i++)
		fputc((int)(i % 251), f);
	fclose(f);
	rt_buf_puts(&b, "head");
	cr_assert_eq(rt_buf_read_file(&b, path), 0);
	cr_expect_eq(b.len, 4 + 200000);
	cr_expect_eq(memcmp(b.ptr, "head", 4), 0);
	for (i = 0; i < 200000; i++)
		if ((unsigned char)b.ptr[4 + i] != i % 251)
			cr_assert_fail("byte %zu differs", i);
	cr_expect_eq(b.ptr[b.len], '\0');
	rt_buf_free(&b);
	free(path);
}

Test(buf_file, read_empty_file_gives_empty_string, .init = make_dir, .fini = remove_dir)
{
	char *path = rt_xsprintf("%s/empty", dir);
	rt_buf b = RT_BUF_INIT;

	test_write(path, "");
	cr_assert_eq(rt_buf_read_file(&b, path), 0);
	cr_assert_not_null(b.ptr, "an empty file still yields a terminated string");
	cr_expect_str_eq(b.ptr, "");
	cr_expect_eq(b.len, 0);
	rt_buf_free(&b);
	free(path);
}

Test(buf_file, read_missing_file_names_the_path, .init = make_dir, .fini = remove_dir)
{
	char *path = rt_xsprintf("%s/no-such-file.toml", dir);
	rt_buf b = RT_BUF_INIT;
	const rt_error *e;

	cr_assert_eq(rt_buf_read_file(&b, path), -1);
	e = rt_error_last();
	cr_assert_not_null(e);
	cr_expect_not_null(strstr(e->message, path), "'%s' should name %s", e->message, path);
	cr_expect_not_null(strstr(e->message, strerror(ENOENT)), "'%s' should say why", e->message);
	cr_expect_eq(e->kind, RT_ERR_INPUT);
	cr_expect_eq(b.len, 0);
	rt_buf_free(&b);
	free(path);
}

Test(buf_file, read_directory_fails_naming_it, .init = make_dir, .fini = remove_dir)
{
	rt_buf b = RT_BUF_INIT;

	cr_assert_eq(rt_buf_read_file(&b, dir), -1);
	cr_assert_not_null(rt_error_last());
	cr_expect_not_null(strstr(rt_error_last()->message, dir), "%s", rt_error_last()->message);
	rt_buf_free(&b);
}

Test(buf_file, write_atomic_creates_0644_and_leaves_no_temp, .init = make_dir, .fini = remove_dir)
{
	char *path = rt_xsprintf("%s/Cargo.toml", dir);
	struct stat st;
	char *text;
	int temps;

	cr_assert_eq(rt_buf_write_file_atomic(path, "a\r\nb", 4), 0);
	text = test_slurp(path);
	cr_expect_str_eq(text, "a\r\nb");
	free(text);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0644, "mode %o", st.st_mode & 07777);
	cr_expect_eq(count_entries(&temps), 1);
	cr_expect_eq(temps, 0);
	free(path);
}

Test(buf_file, write_atomic_replaces_content_and_keeps_mode, .init = make_dir, .fini = remove_dir)
{
	static const mode_t modes[] = {0755, 0600, 0640, 0444};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char *path = rt_xsprintf("%s/file%zu", dir, i);
		struct stat st;
		char *text;
		int temps;

		test_write(path, "old content that is longer than the new one\n");
		cr_assert_eq(chmod(path, modes[i]), 0);
		cr_assert_eq(rt_buf_write_file_atomic(path, "new\n", 4), 0, "%s",
			     rt_error_last() ? rt_error_last()->message : "");
		text = test_slurp(path);
		cr_expect_str_eq(text, "new\n");
		free(text);
		cr_assert_eq(stat(path, &st), 0);
		cr_expect_eq(st.st_mode & 07777, modes[i], "mode %o, want %o", st.st_mode & 07777,
			     modes[i]);
		cr_expect_eq(count_entries(&temps), i + 1);
		cr_expect_eq(temps, 0);
		free(path);
	}
}

Test(buf_file, write_atomic_keeps_owner_when_root, .init = make_dir, .fini = remove_dir)
{
	/* The container runs as root over a workspace owned by the runner's user:
	 * an edited file must stay theirs. Only root can set up this case. */
	char *path = rt_xsprintf("%s/owned", dir);
	struct stat st;

	if (geteuid() != 0) {
		free(path);
		cr_skip_test("needs root to chown the fixture");
	}
	test_write(path, "x");
	cr_assert_eq(chown(path, 12345, 23456), 0);
	cr_assert_eq(rt_buf_write_file_atomic(path, "y", 1), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_uid, 12345);
	cr_expect_eq(st.st_gid, 23456);
	free(path);
}

Test(buf_file, write_atomic_empty_and_binary, .init = make_dir, .fini = remove_dir)
{
	char *path = rt_xsprintf("%s/bin", dir);
	rt_buf b = RT_BUF_INIT;

	cr_assert_eq(rt_buf_write_file_atomic(path, "\0\1\2", 3), 0);
	cr_assert_eq(rt_buf_read_file(&b, path), 0);
	cr_expect_eq(b.len, 3);
	cr_expect_eq(memcmp(b.ptr, "\0\1\2", 3), 0);
	rt_buf_free(&b);
	cr_assert_eq(rt_buf_write_file_atomic(path, "", 0), 0);
	cr_assert_eq(rt_buf_read_file(&b, path), 0);
	cr_expect_eq(b.len, 0);
	rt_buf_free(&b);
	free(path);
}

Test(buf_file, write_atomic_into_missing_directory_fails, .init = make_dir, .fini = remove_dir)
{
	char *path = rt_xsprintf("%s/missing/VERSION", dir);
	const rt_error *e;
	int temps;

	cr_assert_eq(rt_buf_write_file_atomic(path, "1.0.0\n", 6), -1);
	e = rt_error_last();
	cr_assert_not_null(e);
	cr_expect_not_null(strstr(e->message, path), "'%s' should name %s", e->message, path);
	cr_expect_eq(e->kind, RT_ERR_FAILED);
	cr_expect_eq(count_entries(&temps), 0);
	free(path);
}

Test(buf_file, write_atomic_over_a_directory_fails_and_cleans_up, .init = make_dir,
     .fini = remove_dir)
{
	char *path = rt_xsprintf("%s/sub", dir);
	int temps;

	cr_assert_eq(mkdir(path, 0755), 0);
	cr_assert_eq(rt_buf_write_file_atomic(path, "x", 1), -1);
	cr_assert_not_null(rt_error_last());
	cr_expect_not_null(strstr(rt_error_last()->message, path), "%s", rt_error_last()->message);
	cr_expect_eq(count_entries(&temps), 1, "only the directory itself is left");
	cr_expect_eq(temps, 0, "the temporary file is removed on failure");
	free(path);
}

/* ---- the error record ---- */

Test(error, none_recorded)
{
	rt_error_clear();
	cr_expect_null(rt_error_last());
	cr_expect_eq(rt_error_exit_status(), 1, "no record still means failure if asked");
}

Test(error, set_records_kind_and_message)
{
	const rt_error *e;

	cr_expect_eq(rt_error_set(RT_ERR_INPUT, "input '%s' is %d%% wrong", "level", 100), -1);
	e = rt_error_last();
	cr_assert_not_null(e);
	cr_expect_eq(e->kind, RT_ERR_INPUT);
	cr_expect_str_eq(e->message, "input 'level' is 100% wrong");
	cr_expect_null(e->file);
	cr_expect_eq(e->line, 0);
	cr_expect_eq(rt_error_exit_status(), 2);

	cr_expect_eq(rt_error_set(RT_ERR_FAILED, "push failed"), -1);
	cr_expect_str_eq(rt_error_last()->message, "push failed", "a new error replaces the old");
	cr_expect_eq(rt_error_exit_status(), 1);
	rt_error_clear();
	cr_expect_null(rt_error_last());
}

Test(error, set_at_names_file_and_line)
{
	const rt_error *e;

	rt_error_set_at(RT_ERR_INPUT, "crates/a/Cargo.toml", 12, "bad %s", "version");
	e = rt_error_last();
	cr_assert_not_null(e);
	cr_expect_str_eq(e->file, "crates/a/Cargo.toml");
	cr_expect_eq(e->line, 12);
	cr_expect_str_eq(e->message, "bad version");
	/* a later error without a file forgets the old file */
	rt_error_set(RT_ERR_FAILED, "other");
	cr_expect_null(rt_error_last()->file);
	cr_expect_eq(rt_error_last()->line, 0);
	rt_error_clear();
}

Test(error, prefix_adds_context_and_keeps_the_rest)
{
	const rt_error *e;

	rt_error_set_at(RT_ERR_INPUT, "Cargo.toml", 3, "invalid version '1.02.0'");
	cr_expect_eq(rt_error_prefix("reading %s", "the workspace"), -1);
	cr_expect_eq(rt_error_prefix("bump"), -1);
	e = rt_error_last();
	cr_assert_not_null(e);
	cr_expect_str_eq(e->message, "bump: reading the workspace: invalid version '1.02.0'");
	cr_expect_eq(e->kind, RT_ERR_INPUT, "the kind survives a prefix");
	cr_expect_str_eq(e->file, "Cargo.toml");
	cr_expect_eq(e->line, 3);
	cr_expect_eq(rt_error_exit_status(), 2);
	rt_error_clear();
}

Test(error, prefix_without_error_makes_a_failure)
{
	rt_error_clear();
	cr_expect_eq(rt_error_prefix("something went wrong in %s", "upload"), -1);
	cr_assert_not_null(rt_error_last());
	cr_expect_str_eq(rt_error_last()->message, "something went wrong in upload");
	cr_expect_eq(rt_error_last()->kind, RT_ERR_FAILED);
	cr_expect_eq(rt_error_exit_status(), 1);
	rt_error_clear();
}

Test(error, message_may_quote_the_previous_one)
{
	/* callers rewrap: the new text is formatted before the old one is freed */
	rt_error_set(RT_ERR_FAILED, "HTTP 404");
	rt_error_set(RT_ERR_INPUT, "wrapped (%s)", rt_error_last()->message);
	cr_expect_str_eq(rt_error_last()->message, "wrapped (HTTP 404)");
	rt_error_clear();
}

Test(error, codes_are_distinct_negatives)
{
	cr_expect_lt(RT_ENOTFOUND, -1);
	cr_expect_lt(RT_EEXISTS, -1);
	cr_expect_neq(RT_ENOTFOUND, RT_EEXISTS);
	cr_expect_eq(RT_ERR_FAILED, 1);
	cr_expect_eq(RT_ERR_INPUT, 2);
}
