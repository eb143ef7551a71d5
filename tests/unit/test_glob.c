/*
 * glob: the matcher (`*`, `?`, `[...]`, `**`, escapes) against paths, and
 * the expansion of newline-separated patterns on a real directory tree:
 * sorted, de-duplicated, directories only when named literally, every
 * pattern that matched nothing named.
 */
#include <criterion/criterion.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glob.h"
#include "helpers.h"

Test(glob, star_and_question_stay_in_one_segment)
{
	cr_assert(rt_glob_match("*.zip", "a.zip"));
	cr_assert(rt_glob_match("*.zip", ".zip"));
	cr_assert(!rt_glob_match("*.zip", "dir/a.zip"));
	cr_assert(rt_glob_match("dist/*", "dist/a"));
	cr_assert(!rt_glob_match("dist/*", "dist/a/b"));
	cr_assert(rt_glob_match("a?c", "abc"));
	cr_assert(!rt_glob_match("a?c", "a/c"));
	cr_assert(!rt_glob_match("a?c", "ac"));
	cr_assert(rt_glob_match("*-*-*.tar.gz", "tool-x86_64-linux.tar.gz"));
	cr_assert(!rt_glob_match("*-*-*.tar.gz", "tool-linux.tar.gz"));
	cr_assert(rt_glob_match("***", "abc"));
	cr_assert(rt_glob_match("a*b*c", "aXXbYYbZc"));
	cr_assert(!rt_glob_match("a*b*c", "aXXbYYbZ"));
}

Test(glob, brackets)
{
	cr_assert(rt_glob_match("[abc].txt", "b.txt"));
	cr_assert(!rt_glob_match("[abc].txt", "d.txt"));
	cr_assert(rt_glob_match("[a-c][0-9]", "c7"));
	cr_assert(!rt_glob_match("[!a-c]x", "ax"));
	cr_assert(rt_glob_match("[!a-c]x", "dx"));
	cr_assert(rt_glob_match("[^a-c]x", "dx"));
	cr_assert(rt_glob_match("[]]", "]"));
	cr_assert(rt_glob_match("[a-]", "-"));
	cr_assert(rt_glob_match("[", "["), "an unclosed bracket is a character");
	cr_assert(rt_glob_match("a[", "a["));
}

Test(glob, escapes)
{
	cr_assert(rt_glob_match("\\*", "*"));
	cr_assert(!rt_glob_match("\\*", "a"));
	cr_assert(rt_glob_match("a\\?", "a?"));
}

Test(glob, globstar_matches_any_number_of_segments)
{
	cr_assert(rt_glob_match("**/*.zip", "a.zip"));
	cr_assert(rt_glob_match("**/*.zip", "x/y/z/a.zip"));
	cr_assert(rt_glob_match("dist/**", "dist/a"));
	cr_assert(rt_glob_match("dist/**", "dist/a/b/c"));
	cr_assert(rt_glob_match("dist/**/x", "dist/x"));
	cr_assert(rt_glob_match("dist/**/x", "dist/a/b/x"));
	cr_assert(!rt_glob_match("dist/**/x", "other/a/x"));
	cr_assert(rt_glob_match("a/**/b/**/c", "a/1/b/2/3/c"));
	cr_assert(!rt_glob_match("a/**/b/**/c", "a/1/2/3/c"));
	cr_assert(!rt_glob_match("x**", "x/y"), "** inside a segment is a plain star");
	cr_assert(rt_glob_match("x**", "xyz"));
}

static char *root;

static void touch(const char *rel, const char *data)
{
	char *p = rt_xsprintf("%s/%s", root, rel), *slash;
	FILE *f;

	for (slash = strchr(p + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(p, 0700);
		*slash = '/';
	}
	f = fopen(p, "w");
	cr_assert_not_null(f, "%s", p);
	fputs(data, f);
	fclose(f);
	free(p);
}

static void tree(void)
{
	root = test_tmpdir();
	touch("dist/a.zip", "a");
	touch("dist/b.tar.gz", "b");
	touch("dist/sub/c.zip", "c");
	touch("dist/sub/deep/d.zip", "d");
	touch("dist/.hidden.zip", "h");
	touch("other/e.txt", "e");
	{
		char *d = rt_xsprintf("%s/dist/emptydir", root);
		mkdir(d, 0700);
		free(d);
	}
}

static void remove_tree(void)
{
	char *cmd = rt_xsprintf("rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(root);
}

static char *joined(const rt_glob_result *g)
{
	rt_buf b = RT_BUF_INIT;
	for (size_t i = 0; i < g->count; i++)
		rt_buf_printf(&b, "%s%s", i ? "," : "", g->paths[i]);
	return rt_buf_detach(&b);
}

Test(glob, expand_sorted_unique_files_only, .init = tree, .fini = remove_tree)
{
	rt_glob_result g;
	char *s;

	cr_assert_eq(rt_glob_expand(&g, root, "dist/*\n  dist/*.zip  \n\n**/*.zip\r\n"), 0);
	s = joined(&g);
	cr_assert_str_eq(s, "dist/.hidden.zip,dist/a.zip,dist/b.tar.gz,dist/sub/c.zip,dist/sub/deep/d.zip");
	cr_assert_eq(g.unmatched_count, 0);
	free(s);
	rt_glob_result_free(&g);
}

Test(glob, expand_trailing_globstar_and_literals, .init = tree, .fini = remove_tree)
{
	rt_glob_result g;
	char *s;

	cr_assert_eq(rt_glob_expand(&g, root, "dist/sub/**\nother/e.txt\ndist/emptydir\n./dist/a.zip"), 0);
	s = joined(&g);
	cr_assert_str_eq(s, "dist/a.zip,dist/emptydir,dist/sub/c.zip,dist/sub/deep/d.zip,other/e.txt");
	free(s);
	rt_glob_result_free(&g);
}

Test(glob, expand_names_every_unmatched_pattern, .init = tree, .fini = remove_tree)
{
	rt_glob_result g;

	cr_assert_eq(rt_glob_expand(&g, root, "nope/*\ndist/*.zip\n*.msi\nmissing.txt\ndist/[xyz]*"), 0);
	cr_assert_eq(g.count, 2);
	cr_assert_eq(g.unmatched_count, 4);
	cr_assert_str_eq(g.unmatched[0], "nope/*");
	cr_assert_str_eq(g.unmatched[1], "*.msi");
	cr_assert_str_eq(g.unmatched[2], "missing.txt");
	cr_assert_str_eq(g.unmatched[3], "dist/[xyz]*");
	rt_glob_result_free(&g);
}

Test(glob, expand_absolute_pattern, .init = tree, .fini = remove_tree)
{
	rt_glob_result g;
	char *pattern = rt_xsprintf("%s/dist/*.tar.gz", root), *want = rt_xsprintf("%s/dist/b.tar.gz", root);

	cr_assert_eq(rt_glob_expand(&g, "/nonexistent", pattern), 0);
	cr_assert_eq(g.count, 1);
	cr_assert_str_eq(g.paths[0], want);
	rt_glob_result_free(&g);
	free(pattern);
	free(want);
}

Test(glob, globstar_does_not_follow_a_link_loop, .init = tree, .fini = remove_tree)
{
	rt_glob_result g;
	char *link = rt_xsprintf("%s/dist/sub/loop", root), *s;

	cr_assert_eq(symlink("..", link), 0);
	cr_assert_eq(rt_glob_expand(&g, root, "dist/**/*.zip"), 0);
	s = joined(&g);
	cr_assert_str_eq(s, "dist/.hidden.zip,dist/a.zip,dist/sub/c.zip,dist/sub/deep/d.zip");
	free(s);
	rt_glob_result_free(&g);
	/* a wildcard segment may pass through it: the pattern bounds the depth */
	cr_assert_eq(rt_glob_expand(&g, root, "dist/sub/*/a.zip"), 0);
	cr_assert_eq(g.count, 1);
	cr_assert_str_eq(g.paths[0], "dist/sub/loop/a.zip");
	rt_glob_result_free(&g);
	free(link);
}

Test(glob, expand_nothing)
{
	rt_glob_result g;

	cr_assert_eq(rt_glob_expand(&g, ".", NULL), 0);
	cr_assert_eq(g.count + g.unmatched_count, 0);
	cr_assert_eq(rt_glob_expand(&g, ".", "\n \n"), 0);
	cr_assert_eq(g.count + g.unmatched_count, 0);
	rt_glob_result_free(&g);
}
