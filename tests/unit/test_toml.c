/*
 * Unit tests of the TOML scanner: paths, kinds, exact byte offsets,
 * decoded strings and line numbers for every construct Cargo manifests
 * use, errors with file:line, and a comparison of every fixture with the
 * values Python's tomllib reads from it (tests/fixtures/manifests/expected.py).
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>

#include "helpers.h"
#include "toml.h"

#define FIXTURES "tests/fixtures/manifests/"

typedef struct {
	char *path; /* segments joined with '.' */
	size_t path_len;
	size_t table_len;
	bool in_array_table;
	rt_toml_kind kind;
	size_t start, end;
	char *raw; /* text[start,end) */
	char *string;
	int line;
} rec;

typedef struct {
	rec *items;
	size_t n;
	const char *text;
} recs;

static char *join(const char *const *path, size_t n)
{
	rt_buf b = RT_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			rt_buf_putc(&b, '.');
		rt_buf_puts(&b, path[i]);
	}
	return b.ptr ? rt_buf_detach(&b) : rt_xstrdup("");
}

static int record_cb(const rt_toml_entry *e, void *payload)
{
	recs *r = payload;
	rec *x;

	cr_assert_leq(e->table_len, e->path_len);
	cr_assert_lt(e->value_start, e->value_end);
	r->items = rt_xrealloc(r->items, (r->n + 1) * sizeof(*r->items));
	x = &r->items[r->n++];
	x->path = join(e->path, e->path_len);
	x->path_len = e->path_len;
	x->table_len = e->table_len;
	x->in_array_table = e->in_array_table;
	x->kind = e->kind;
	x->start = e->value_start;
	x->end = e->value_end;
	x->raw = rt_xstrndup(r->text + e->value_start, e->value_end - e->value_start);
	x->string = e->string ? rt_xstrdup(e->string) : NULL;
	cr_assert_eq(e->string != NULL, e->kind == RT_TOML_STRING);
	x->line = e->line;
	return 0;
}

static void recs_free(recs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].path);
		free(r->items[i].raw);
		free(r->items[i].string);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

static recs scan_ok(const char *text)
{
	recs r = {NULL, 0, text};
	int rc = rt_toml_scan(text, strlen(text), "Cargo.toml", record_cb, &r);
	cr_assert_eq(rc, 0, "scan failed: %s",
		     rt_error_last() ? rt_error_last()->message : "(no error recorded)");
	return r;
}

/* The only entry at path (fails when absent or repeated). */
static const rec *find(const recs *r, const char *path)
{
	const rec *found = NULL;
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->items[i].path, path) != 0)
			continue;
		cr_assert_null(found, "two entries at %s", path);
		found = &r->items[i];
	}
	cr_assert_not_null(found, "no entry at %s", path);
	return found;
}

static void assert_string(const recs *r, const char *path, const char *raw, const char *decoded,
			  int line)
{
	const rec *x = find(r, path);
	cr_assert_eq(x->kind, RT_TOML_STRING, "%s: kind %d", path, x->kind);
	cr_assert_str_eq(x->raw, raw, "%s: raw bytes", path);
	cr_assert_str_eq(x->string, decoded, "%s: decoded", path);
	cr_assert_eq(x->line, line, "%s: line %d, expected %d", path, x->line, line);
}

static void assert_value(const recs *r, const char *path, rt_toml_kind kind, const char *raw,
			 int line)
{
	const rec *x = find(r, path);
	cr_assert_eq(x->kind, kind, "%s: kind %d, expected %d", path, x->kind, kind);
	cr_assert_str_eq(x->raw, raw, "%s: raw bytes", path);
	cr_assert_eq(x->line, line, "%s: line %d, expected %d", path, x->line, line);
}

/* Scan must fail with an input error at Cargo.toml:line whose message contains want. */
static void assert_error(const char *text, int line, const char *want)
{
	int rc;

	rt_error_clear();
	rc = rt_toml_scan(text, strlen(text), "Cargo.toml", NULL, NULL);
	cr_assert_eq(rc, -1, "scan of <<%s>> should fail", text);
	cr_assert_not_null(rt_error_last());
	cr_assert_eq(rt_error_last()->kind, RT_ERR_INPUT);
	cr_assert_str_eq(rt_error_last()->file, "Cargo.toml");
	cr_assert_eq(rt_error_last()->line, line, "line %d, expected %d (%s)",
		     rt_error_last()->line, line, rt_error_last()->message);
	cr_assert_not_null(strstr(rt_error_last()->message, want), "message <<%s>> lacks <<%s>>",
			   rt_error_last()->message, want);
	rt_error_clear();
}

static char *to_crlf(const char *text)
{
	rt_buf b = RT_BUF_INIT;
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			rt_buf_putc(&b, '\r');
		rt_buf_putc(&b, *p);
	}
	return rt_buf_detach(&b);
}

/* --- keys and tables ---------------------------------------------------- */

Test(toml, simple_key_value)
{
	const char *text = "name = \"release-train\"\n";
	recs r = scan_ok(text);

	cr_assert_eq(r.n, 1);
	assert_string(&r, "name", "\"release-train\"", "release-train", 1);
	cr_assert_eq(r.items[0].start, 7);
	cr_assert_eq(r.items[0].end, 22);
	cr_assert_eq(r.items[0].table_len, 0);
	cr_assert_eq(r.items[0].path_len, 1);
	cr_assert_not(r.items[0].in_array_table);
	recs_free(&r);
}

Test(toml, header_and_dotted_key_give_the_same_path)
{
	recs a = scan_ok("[workspace.package]\nversion = \"1.0.0\"\n");
	recs b = scan_ok("[workspace]\npackage.version = \"1.0.0\"\n");
	recs c = scan_ok("workspace.package.version = \"1.0.0\"\n");

	assert_string(&a, "workspace.package.version", "\"1.0.0\"", "1.0.0", 2);
	assert_string(&b, "workspace.package.version", "\"1.0.0\"", "1.0.0", 2);
	assert_string(&c, "workspace.package.version", "\"1.0.0\"", "1.0.0", 1);
	cr_assert_eq(a.items[0].table_len, 2);
	cr_assert_eq(b.items[0].table_len, 1);
	cr_assert_eq(c.items[0].table_len, 0);
	cr_assert_eq(a.items[0].path_len, 3);
	recs_free(&a);
	recs_free(&b);
	recs_free(&c);
}

Test(toml, dotted_keys_with_spaces_and_quotes)
{
	recs r = scan_ok("a . b\t.  c = 1\n"
			 "\"a.b\" = 2\n"
			 "'lit.key' . \"x\\\"y\" = 3\n"
			 "version.workspace = true\n");

	assert_value(&r, "a.b.c", RT_TOML_OTHER, "1", 1);
	cr_assert_eq(find(&r, "a.b.c")->path_len, 3);
	/* "a.b" is one key: the joined path looks the same as a.b but has one segment. */
	cr_assert_eq(r.items[1].path_len, 1);
	cr_assert_str_eq(r.items[1].path, "a.b");
	cr_assert_str_eq(r.items[1].raw, "2");
	assert_value(&r, "lit.key.x\"y", RT_TOML_OTHER, "3", 3);
	cr_assert_eq(find(&r, "lit.key.x\"y")->path_len, 2);
	assert_value(&r, "version.workspace", RT_TOML_OTHER, "true", 4);
	recs_free(&r);
}

Test(toml, quoted_header_segments)
{
	recs r = scan_ok("[target.'cfg(unix)'.dependencies]\n"
			 "libc = \"0.2\"\n"
			 "[target.\"cfg(target_os = \\\"linux\\\")\".dependencies]\n"
			 "memfd = { version = \"0.6\" }\n"
			 "[ target . \"x86_64-pc-windows-msvc\" . dev-dependencies ]\n"
			 "windows-sys = \"0.59\"\n");

	assert_string(&r, "target.cfg(unix).dependencies.libc", "\"0.2\"", "0.2", 2);
	cr_assert_eq(find(&r, "target.cfg(unix).dependencies.libc")->table_len, 3);
	assert_value(&r, "target.cfg(target_os = \"linux\").dependencies.memfd",
		     RT_TOML_INLINE_TABLE, "{ version = \"0.6\" }", 4);
	assert_string(&r, "target.cfg(target_os = \"linux\").dependencies.memfd.version", "\"0.6\"",
		      "0.6", 4);
	cr_assert_eq(
	    find(&r, "target.cfg(target_os = \"linux\").dependencies.memfd.version")->table_len, 3);
	assert_string(&r, "target.x86_64-pc-windows-msvc.dev-dependencies.windows-sys", "\"0.59\"",
		      "0.59", 6);
	recs_free(&r);
}

Test(toml, dependency_table_form)
{
	recs r = scan_ok("[dependencies.foo]\nversion = \"1\"\npackage = \"real-foo\"\n");

	assert_string(&r, "dependencies.foo.version", "\"1\"", "1", 2);
	assert_string(&r, "dependencies.foo.package", "\"real-foo\"", "real-foo", 3);
	recs_free(&r);
}

Test(toml, array_of_tables)
{
	recs r = scan_ok("[[bin]]\nname = \"a\"\n[[bin]]\nname = \"b\"\n[package]\nname = \"c\"\n"
			 "[[ bin ]]\n");

	cr_assert_eq(r.n, 3);
	cr_assert_str_eq(r.items[0].path, "bin.name");
	cr_assert(r.items[0].in_array_table);
	cr_assert_eq(r.items[0].table_len, 1);
	cr_assert_str_eq(r.items[1].string, "b");
	cr_assert(r.items[1].in_array_table);
	cr_assert_str_eq(r.items[2].path, "package.name");
	cr_assert_not(r.items[2].in_array_table);
	recs_free(&r);
}

Test(toml, headers_alone_produce_no_entry)
{
	recs r = scan_ok("[a]\n[b.c]\n[[d]]\n# only comments\n");
	cr_assert_eq(r.n, 0);
	recs_free(&r);
}

/* --- strings ------------------------------------------------------------ */

Test(toml, basic_string_escapes)
{
	const char *text = "s = \"tab\\t nl\\n q\\\" bs\\\\ \\u00e9 \\U0001F600 \\b\\f\\r\"\n";
	recs r = scan_ok(text);

	assert_string(&r, "s", "\"tab\\t nl\\n q\\\" bs\\\\ \\u00e9 \\U0001F600 \\b\\f\\r\"",
		      "tab\t nl\n q\" bs\\ \xc3\xa9 \xf0\x9f\x98\x80 \b\f\r", 1);
	recs_free(&r);
}

/* TOML 1.1 escapes, accepted by newer Cargo. */
Test(toml, toml_1_1_escapes)
{
	recs r = scan_ok("s = \"\\e[0m \\x41\"\n");

	assert_string(&r, "s", "\"\\e[0m \\x41\"", "\x1b[0m A", 1);
	recs_free(&r);
}

Test(toml, hash_inside_strings_is_not_a_comment)
{
	recs r = scan_ok("a = \"x # y\" # real comment\nb = 'p # q'#c\n");

	assert_string(&r, "a", "\"x # y\"", "x # y", 1);
	assert_string(&r, "b", "'p # q'", "p # q", 2);
	recs_free(&r);
}

Test(toml, literal_string_keeps_backslashes)
{
	recs r = scan_ok("path = 'C:\\Users\\nodejs\\templates'\nempty = ''\ne2 = \"\"\n");

	assert_string(&r, "path", "'C:\\Users\\nodejs\\templates'", "C:\\Users\\nodejs\\templates",
		      1);
	assert_string(&r, "empty", "''", "", 2);
	assert_string(&r, "e2", "\"\"", "", 3);
	recs_free(&r);
}

Test(toml, multiline_basic_string)
{
	const char *text = "description = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
			   "after = 1\n";
	recs r = scan_ok(text);

	assert_string(&r, "description", "\"\"\"\nRoses are red\nViolets are blue\"\"\"",
		      "Roses are red\nViolets are blue", 1);
	assert_value(&r, "after", RT_TOML_OTHER, "1", 4);
	recs_free(&r);
}

Test(toml, multiline_line_ending_backslash)
{
	const char *text =
	    "s = \"\"\"\\\n    The quick brown \\\n\n    fox.\\   \n    \"\"\"\nn = 2\n";
	recs r = scan_ok(text);

	cr_assert_str_eq(find(&r, "s")->string, "The quick brown fox.");
	assert_value(&r, "n", RT_TOML_OTHER, "2", 6);
	recs_free(&r);
}

Test(toml, multiline_quotes_before_closing)
{
	recs r = scan_ok("a = \"\"\"\"This,\" she said.\"\"\"\"\"\n"
			 "b = '''''That,' she said.'''''\n"
			 "c = \"\"\"two \"\" quotes\"\"\"\n");

	assert_string(&r, "a", "\"\"\"\"This,\" she said.\"\"\"\"\"", "\"This,\" she said.\"\"", 1);
	assert_string(&r, "b", "'''''That,' she said.'''''", "''That,' she said.''", 2);
	assert_string(&r, "c", "\"\"\"two \"\" quotes\"\"\"", "two \"\" quotes", 3);
	recs_free(&r);
}

Test(toml, multiline_literal_string)
{
	const char *text = "re = '''\nI [dw]on't need \\d{2} apples\n'''\nx = 'y'\n";
	recs r = scan_ok(text);

	assert_string(&r, "re", "'''\nI [dw]on't need \\d{2} apples\n'''",
		      "I [dw]on't need \\d{2} apples\n", 1);
	assert_string(&r, "x", "'y'", "y", 4);
	recs_free(&r);
}

/* --- inline tables and arrays -------------------------------------------- */

Test(toml, inline_tables_nested)
{
	const char *text = "[dependencies]\n"
			   "foo = { version = \"1\", a = { b = 'c', d.e = 2 }, f = {} }\n";
	recs r = scan_ok(text);

	cr_assert_eq(r.n, 6);
	/* The table comes before its members, each with its own bytes. */
	cr_assert_str_eq(r.items[0].path, "dependencies.foo");
	cr_assert_eq(r.items[0].kind, RT_TOML_INLINE_TABLE);
	cr_assert_str_eq(r.items[0].raw, "{ version = \"1\", a = { b = 'c', d.e = 2 }, f = {} }");
	cr_assert_str_eq(r.items[1].path, "dependencies.foo.version");
	cr_assert_str_eq(r.items[1].raw, "\"1\"");
	cr_assert_eq(r.items[1].table_len, 1);
	cr_assert_str_eq(r.items[2].path, "dependencies.foo.a");
	cr_assert_eq(r.items[2].kind, RT_TOML_INLINE_TABLE);
	cr_assert_str_eq(r.items[2].raw, "{ b = 'c', d.e = 2 }");
	assert_string(&r, "dependencies.foo.a.b", "'c'", "c", 2);
	assert_value(&r, "dependencies.foo.a.d.e", RT_TOML_OTHER, "2", 2);
	assert_value(&r, "dependencies.foo.f", RT_TOML_INLINE_TABLE, "{}", 2);
	cr_assert_str_eq(r.items[5].path, "dependencies.foo.f");
	recs_free(&r);
}

Test(toml, arrays_are_skipped_exactly)
{
	const char *text = "members = [\n"
			   "  \"crates/*\", # comment, with ] and \"\n"
			   "  # a whole comment line ]\n"
			   "  'cranelift',\n"
			   "  [ 1, [2, [\"]\"]] ],\n"
			   "  { a = \"}\", b = [ { c = 1 } ] },\n"
			   "  \"\"\"multi\n"
			   "line\"\"\",\n"
			   "\n"
			   "  \"trailing\",\n"
			   "]\n"
			   "exclude = []\n";
	recs r = scan_ok(text);
	const rec *m;

	cr_assert_eq(r.n, 2, "array elements must not be reported");
	m = find(&r, "members");
	cr_assert_eq(m->kind, RT_TOML_ARRAY);
	cr_assert_eq(m->start, 10);
	cr_assert_eq(m->end, strstr(text, "]\nexclude") - text + 1);
	assert_value(&r, "exclude", RT_TOML_ARRAY, "[]", 12);
	recs_free(&r);
}

Test(toml, other_values_keep_their_bytes)
{
	recs r = scan_ok("a = 42\nb = -1_000\nc = 0xDEAD_beef\nd = 6.626e-34\ne = +inf\n"
			 "f = false\ng = 1979-05-27T07:32:00Z\nh = 1979-05-27 07:32:00.5-07:00\n"
			 "i = 1979-05-27 # a date, then a comment\nj = 07:32:00\nk = nan\n");

	assert_value(&r, "a", RT_TOML_OTHER, "42", 1);
	assert_value(&r, "b", RT_TOML_OTHER, "-1_000", 2);
	assert_value(&r, "c", RT_TOML_OTHER, "0xDEAD_beef", 3);
	assert_value(&r, "d", RT_TOML_OTHER, "6.626e-34", 4);
	assert_value(&r, "e", RT_TOML_OTHER, "+inf", 5);
	assert_value(&r, "f", RT_TOML_OTHER, "false", 6);
	assert_value(&r, "g", RT_TOML_OTHER, "1979-05-27T07:32:00Z", 7);
	assert_value(&r, "h", RT_TOML_OTHER, "1979-05-27 07:32:00.5-07:00", 8);
	assert_value(&r, "i", RT_TOML_OTHER, "1979-05-27", 9);
	assert_value(&r, "j", RT_TOML_OTHER, "07:32:00", 10);
	assert_value(&r, "k", RT_TOML_OTHER, "nan", 11);
	recs_free(&r);
}

Test(toml, numbers_and_dates_are_validated)
{
	const char *valid[] = {"0",
			       "-0",
			       "+0.5",
			       "1e5",
			       "1E+5",
			       "3.14_15",
			       "-2e-3",
			       "0o755",
			       "0b1101",
			       "0xff_FF",
			       "1_000",
			       "+nan",
			       "-inf",
			       "1979-05-27",
			       "1979-05-27t07:32:00z",
			       "1979-05-27T07:32",
			       "07:32",
			       "00:32:00.999",
			       "1979-05-27T07:32:00+01:00",
			       NULL};
	const char *invalid[] = {"1.2.3",
				 "01",
				 "1__0",
				 "1_",
				 "_1",
				 "0o8",
				 "0b2",
				 "0x",
				 "1.",
				 ".5",
				 "1e",
				 "0x-1",
				 "+0x1",
				 "1979-5-27",
				 "1979-05-27T7:32",
				 "25:0",
				 "1979-05-27T07:32:00+1",
				 "truee",
				 "True",
				 "v1",
				 NULL};

	for (const char **v = valid; *v; v++) {
		char *text = rt_xsprintf("a = %s\n", *v);
		recs r = scan_ok(text);
		assert_value(&r, "a", RT_TOML_OTHER, *v, 1);
		recs_free(&r);
		free(text);
	}
	for (const char **v = invalid; *v; v++) {
		char *text = rt_xsprintf("a = %s\n", *v);
		char *want = rt_xsprintf("invalid value '%s'", *v);
		assert_error(text, 1, want);
		free(want);
		free(text);
	}
}

/* --- layout: comments, lines, CRLF, end of file --------------------------- */

Test(toml, comments_and_blank_lines)
{
	const char *text = "# head\n\n   \t\n[package] # after a header\n# between\n"
			   "name = \"x\"   # after a value\n\n\nversion = \"1.0.0\"#tight\n";
	recs r = scan_ok(text);

	cr_assert_eq(r.n, 2);
	assert_string(&r, "package.name", "\"x\"", "x", 6);
	assert_string(&r, "package.version", "\"1.0.0\"", "1.0.0", 9);
	recs_free(&r);
}

Test(toml, crlf_gives_same_entries_and_exact_offsets)
{
	const char *lf = "[package]\nname = \"x\"\nv = '''\nml\n'''\narr = [\n 1,\n]\n"
			 "t = { a = \"b\" }\n# c\nlast = \"\"\"a\\\n  b\"\"\"\n";
	char *crlf = to_crlf(lf);
	recs a = scan_ok(lf);
	recs b = scan_ok(crlf);

	cr_assert_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		cr_assert_str_eq(a.items[i].path, b.items[i].path);
		cr_assert_eq(a.items[i].line, b.items[i].line, "%s", a.items[i].path);
		cr_assert_eq(b.items[i].raw[0], crlf[b.items[i].start]);
	}
	assert_string(&b, "package.name", "\"x\"", "x", 2);
	/* The first line break after ''' is trimmed whole; later ones decode as LF. */
	assert_string(&b, "package.v", "'''\r\nml\r\n'''", "ml\n", 3);
	assert_value(&b, "package.arr", RT_TOML_ARRAY, "[\r\n 1,\r\n]", 6);
	assert_string(&b, "package.t.a", "\"b\"", "b", 9);
	cr_assert_str_eq(find(&b, "package.last")->string, "ab");
	cr_assert_eq(find(&b, "package.last")->line, 11);
	recs_free(&a);
	recs_free(&b);
	free(crlf);
}

Test(toml, no_final_newline)
{
	recs a = scan_ok("[package]\nversion = \"2.0.0\"");
	recs b = scan_ok("version = \"2.0.0\" # trailing comment");
	recs c = scan_ok("n = 12");
	recs d = scan_ok("");
	recs e = scan_ok("# only a comment");

	assert_string(&a, "package.version", "\"2.0.0\"", "2.0.0", 2);
	cr_assert_eq(a.items[0].end, strlen("[package]\nversion = \"2.0.0\""));
	assert_string(&b, "version", "\"2.0.0\"", "2.0.0", 1);
	assert_value(&c, "n", RT_TOML_OTHER, "12", 1);
	cr_assert_eq(d.n + e.n, 0);
	recs_free(&a);
	recs_free(&b);
	recs_free(&c);
	recs_free(&d);
	recs_free(&e);
}

Test(toml, byte_order_mark_is_skipped)
{
	recs r = scan_ok("\xEF\xBB\xBFversion = \"1\"\n");
	assert_string(&r, "version", "\"1\"", "1", 1);
	cr_assert_eq(r.items[0].start, 13);
	recs_free(&r);
}

Test(toml, replacing_a_value_keeps_every_other_byte)
{
	const char *text = "[workspace.package]\r\nversion = \"36.0.0\" # keep me\r\n"
			   "[workspace.dependencies]\r\nwasmtime = { path = \"crates/wasmtime\", "
			   "version = \"=36.0.0\" }";
	recs r = scan_ok(text);
	const rec *v = find(&r, "workspace.dependencies.wasmtime.version");
	rt_buf out = RT_BUF_INIT;

	rt_buf_put(&out, text, v->start);
	rt_buf_puts(&out, "\"=37.0.0\"");
	rt_buf_puts(&out, text + v->end);
	cr_assert_str_eq(out.ptr, "[workspace.package]\r\nversion = \"36.0.0\" # keep me\r\n"
				  "[workspace.dependencies]\r\nwasmtime = { path = "
				  "\"crates/wasmtime\", version = \"=37.0.0\" }");
	rt_buf_free(&out);
	recs_free(&r);
}

Test(toml, line_numbers_follow_multiline_values)
{
	const char *text = "a = [\n1,\n2,\n]\nb = { c = \"\"\"\n\n\"\"\", d = 1 }\ne = '''\n\n'''\n"
			   "f = \"x\"\n";
	recs r = scan_ok(text);

	cr_assert_eq(find(&r, "a")->line, 1);
	cr_assert_eq(find(&r, "b")->line, 5);
	cr_assert_eq(find(&r, "b.c")->line, 5);
	cr_assert_eq(find(&r, "b.d")->line, 7);
	cr_assert_eq(find(&r, "e")->line, 8);
	cr_assert_eq(find(&r, "f")->line, 11);
	recs_free(&r);
}

/* TOML 1.1 (accepted by newer Cargo): newlines and a trailing comma in inline tables. */
Test(toml, inline_table_across_lines)
{
	recs r = scan_ok("dep = {\n  version = \"1\", # why\n  path = \"x\",\n}\nnext = 1\n");

	assert_string(&r, "dep.version", "\"1\"", "1", 2);
	assert_string(&r, "dep.path", "\"x\"", "x", 3);
	assert_value(&r, "next", RT_TOML_OTHER, "1", 5);
	recs_free(&r);
}

/* --- callback control ---------------------------------------------------- */

static int stop_at_second(const rt_toml_entry *e, void *payload)
{
	int *seen = payload;
	(void)e;
	return ++*seen == 2 ? 7 : 0;
}

Test(toml, callback_return_stops_the_scan)
{
	int seen = 0;
	const char *text = "a = 1\nb = 2\nc = 3\n";

	cr_assert_eq(rt_toml_scan(text, strlen(text), "x.toml", stop_at_second, &seen), 7);
	cr_assert_eq(seen, 2);
}

Test(toml, length_bounds_the_scan)
{
	const char *text = "a = \"1\"\nb = \"2\"\n";
	recs r = {NULL, 0, text};

	/* Only "a = \"1\"\n" is in range: b never exists. */
	cr_assert_eq(rt_toml_scan(text, 8, "x.toml", record_cb, &r), 0);
	cr_assert_eq(r.n, 1);
	recs_free(&r);
	/* A string cut by the length is unterminated. */
	cr_assert_eq(rt_toml_scan(text, 6, "x.toml", NULL, NULL), -1);
	rt_error_clear();
}

/* --- errors ------------------------------------------------------------- */

Test(toml, error_unterminated_string)
{
	assert_error("[package]\nname = \"x\nversion = \"1\"\n", 2, "unterminated string");
	assert_error("a = 'x\n", 1, "unterminated string");
	assert_error("a = \"x", 1, "unterminated string");
	assert_error("a = \"x\\\"", 1, "unterminated string");
	assert_error("\n\na = \"\"\"x\ny\n", 3, "unterminated multi-line string");
	assert_error("a = '''x\n''\n", 1, "unterminated multi-line string");
	assert_error("\"key = 1\n", 1, "unterminated string");
}

Test(toml, error_missing_equals)
{
	assert_error("[package]\nname \"x\"\n", 2, "expected '='");
	assert_error("name\n", 1, "expected '='");
	assert_error("a.b.c", 1, "expected '='");
	assert_error("t = { a 1 }\n", 1, "expected '='");
}

Test(toml, error_key_without_value)
{
	assert_error("[package]\nversion =\n", 2, "has no value");
	assert_error("version = # nothing\n", 1, "has no value");
	assert_error("version =", 1, "has no value");
	assert_error("t = { a = }\n", 1, "expected a value");
	assert_error("a = [1,,2]\n", 1, "expected a value");
}

Test(toml, error_bad_header)
{
	assert_error("[package\nname = \"x\"\n", 1, "bad table header");
	assert_error("\n[]\n", 2, "bad table header");
	assert_error("[[bin]\n", 1, "bad table header");
	assert_error("[a b]\n", 1, "bad table header");
	assert_error("[a.]\n", 1, "expected a key");
	assert_error("[a] x = 1\n", 1, "unexpected text after the table header");
	assert_error("[\n", 1, "bad table header");
}

Test(toml, error_unterminated_array_and_inline_table)
{
	assert_error("members = [\n  \"a\",\n  \"b\"\n", 1, "unterminated array");
	assert_error("x = 1\nmembers = [\"a\" \"b\"]\n", 2, "expected ',' or ']'");
	assert_error("dep = { version = \"1\"", 1, "unterminated inline table");
	assert_error("dep = { version = \"1\" path = \"x\" }\n", 1, "expected ',' or '}'");
	assert_error("a = [ { b = [ 1, 2 } ]\n", 1, "expected ',' or ']'");
}

Test(toml, error_other_syntax)
{
	assert_error("a = foo\n", 1, "invalid value 'foo'");
	assert_error("a = 1 b = 2\n", 1, "unexpected text after the value");
	assert_error("a = \"\\q\"\n", 1, "invalid escape");
	assert_error("a = \"\\u12\"\n", 1, "unicode escape");
	assert_error("a = \"\\uD800\"\n", 1, "Unicode scalar");
	assert_error("a = \"\"\"x\"\"\"\"\"\"\n", 1, "too many quotes");
	assert_error("a = 1\rb = 2\n", 1, "unexpected text");
	assert_error("\r", 1, "carriage return");
	assert_error("= 1\n", 1, "expected a key");
	assert_error("a = @\n", 1, "expected a value");
}

Test(toml, error_nesting_too_deep)
{
	rt_buf b = RT_BUF_INIT;

	rt_buf_puts(&b, "a = ");
	for (int i = 0; i < 5000; i++)
		rt_buf_putc(&b, '[');
	assert_error(b.ptr, 1, "nested more than");
	rt_buf_truncate(&b, 0);
	rt_buf_puts(&b, "a = ");
	for (int i = 0; i < 5000; i++)
		rt_buf_puts(&b, "{b=");
	assert_error(b.ptr, 1, "nested more than");
	rt_buf_free(&b);
}

Test(toml, error_without_filename)
{
	cr_assert_eq(rt_toml_scan("a =", 3, NULL, NULL, NULL), -1);
	cr_assert_not_null(rt_error_last()->file);
	rt_error_clear();
}

/* --- rt_toml_get_string -------------------------------------------------- */

Test(toml, get_string)
{
	const char *text = "[workspace.package]\nversion = \"36.0.0\"\nedition = 2021\n"
			   "[[bin]]\nname = \"x\"\n";
	static const char *const version[] = {"workspace", "package", "version"};
	static const char *const edition[] = {"workspace", "package", "edition"};
	static const char *const missing[] = {"package", "version"};
	static const char *const bin[] = {"bin", "name"};
	char *out = NULL;
	int line = 0;

	cr_assert_eq(rt_toml_get_string(&out, &line, text, strlen(text), "Cargo.toml", version, 3),
		     0);
	cr_assert_str_eq(out, "36.0.0");
	cr_assert_eq(line, 2);
	free(out);

	cr_assert_eq(rt_toml_get_string(&out, NULL, text, strlen(text), "Cargo.toml", missing, 2),
		     RT_ENOTFOUND);
	cr_assert_null(out);
	cr_assert_null(rt_error_last());
	/* Array-of-tables entries have no single address. */
	cr_assert_eq(rt_toml_get_string(&out, NULL, text, strlen(text), "Cargo.toml", bin, 2),
		     RT_ENOTFOUND);

	cr_assert_eq(rt_toml_get_string(&out, NULL, text, strlen(text), "Cargo.toml", edition, 3),
		     -1);
	cr_assert_null(out);
	cr_assert_eq(rt_error_last()->line, 3);
	cr_assert_not_null(strstr(rt_error_last()->message, "workspace.package.edition"));
	rt_error_clear();
}

Test(toml, get_string_fails_on_syntax_error_after_the_match)
{
	const char *text = "[package]\nversion = \"1.0.0\"\n[dependencies\n";
	static const char *const path[] = {"package", "version"};
	char *out = NULL;

	cr_assert_eq(rt_toml_get_string(&out, NULL, text, strlen(text), "Cargo.toml", path, 2), -1);
	cr_assert_null(out);
	cr_assert_eq(rt_error_last()->line, 3);
	rt_error_clear();
}

/* --- rt_toml_array_strings ------------------------------------------------ */

Test(toml, array_strings)
{
	const char *text =
	    "members = [\n  \"crates/*\", # globs\n  'cranelift',\n  \"\"\"a\\u00e9\"\"\",\n]\n";
	const char *start = strchr(text, '[');
	const char *end = strrchr(text, ']') + 1;
	char **out = NULL;
	size_t count = 0;

	cr_assert_eq(rt_toml_array_strings(&out, &count, text, (size_t)(start - text),
					   (size_t)(end - text), "Cargo.toml", 1),
		     0);
	cr_assert_eq(count, 3);
	cr_assert_str_eq(out[0], "crates/*");
	cr_assert_str_eq(out[1], "cranelift");
	cr_assert_str_eq(out[2], "a\xc3\xa9");
	cr_assert_null(out[3]);
	rt_toml_strings_free(out);
}

Test(toml, array_strings_empty_and_errors)
{
	char **out = NULL;
	size_t count = 7;

	cr_assert_eq(rt_toml_array_strings(&out, &count, "[ ]", 0, 3, "Cargo.toml", 4), 0);
	cr_assert_eq(count, 0);
	cr_assert_not_null(out);
	cr_assert_null(out[0]);
	rt_toml_strings_free(out);

	cr_assert_eq(rt_toml_array_strings(&out, &count, "[\n\"a\", 1]", 0, 9, "Cargo.toml", 4),
		     -1);
	cr_assert_null(out);
	cr_assert_eq(rt_error_last()->line, 5);
	cr_assert_not_null(strstr(rt_error_last()->message, "quoted string"));
	rt_error_clear();

	cr_assert_eq(rt_toml_array_strings(&out, &count, "\"a\"", 0, 3, "Cargo.toml", 4), -1);
	rt_error_clear();
	cr_assert_eq(rt_toml_array_strings(&out, &count, "[\"a\"", 0, 4, "Cargo.toml", 4), -1);
	cr_assert_not_null(strstr(rt_error_last()->message, "unterminated array"));
	rt_error_clear();
	cr_assert_eq(rt_toml_array_strings(&out, &count, "[\"a\"] x", 0, 7, "Cargo.toml", 4), -1);
	rt_error_clear();
	rt_toml_strings_free(NULL);
}

Test(toml, array_strings_on_a_scanned_value)
{
	char *text = test_slurp(FIXTURES "wasmtime/Cargo.toml");
	recs r = scan_ok(text);
	const rec *m = find(&r, "workspace.members");
	const rec *x = find(&r, "workspace.exclude");
	char **out = NULL;
	size_t count = 0;

	cr_assert_eq(
	    rt_toml_array_strings(&out, &count, text, m->start, m->end, "Cargo.toml", m->line), 0);
	cr_assert_eq(count, 18);
	cr_assert_str_eq(out[0], "cranelift");
	cr_assert_str_eq(out[17], "crates/*");
	rt_toml_strings_free(out);
	cr_assert_eq(
	    rt_toml_array_strings(&out, &count, text, x->start, x->end, "Cargo.toml", x->line), 0);
	cr_assert_eq(count, 2);
	cr_assert_str_eq(out[0], "docs/rust_wasi_markdown_parser");
	rt_toml_strings_free(out);
	recs_free(&r);
	free(text);
}

/* --- real manifests ------------------------------------------------------ */

Test(toml, wasmtime_root_manifest)
{
	char *text = test_slurp(FIXTURES "wasmtime/Cargo.toml");
	recs r = scan_ok(text);
	const rec *v;

	cr_assert_gt(strlen(text), 1000, "fixture missing? run from the repository root");
	v = find(&r, "workspace.package.version");
	cr_assert_str_eq(v->string, "36.0.0");
	cr_assert_eq(strncmp(text + v->start, "\"36.0.0\"\n", 9), 0);
	assert_value(&r, "package.version.workspace", RT_TOML_OTHER, "true", 3);
	cr_assert_str_eq(find(&r, "workspace.dependencies.wasmtime.version")->string, "36.0.0");
	cr_assert_str_eq(find(&r, "workspace.dependencies.wasmtime-cache.version")->string,
			 "=36.0.0");
	cr_assert_str_eq(find(&r, "workspace.dependencies.wasi-preview1.package")->string,
			 "wasi-preview1-component-adapter-provider");
	cr_assert_str_eq(find(&r, "workspace.dependencies.mutatis")->string, "0.3.2");
	cr_assert_str_eq(find(&r, "target.cfg(unix).dependencies.rustix.workspace")->raw, "true");
	cr_assert_str_eq(find(&r, "target.cfg(target_os = \"linux\").dependencies.memfd")->string,
			 "0.6.2");
	cr_assert_str_eq(find(&r, "dependencies.tokio.version")->string, "1.43.0");
	cr_assert_eq(find(&r, "dependencies.tokio.features")->kind, RT_TOML_ARRAY);
	cr_assert_str_eq(find(&r, "dependencies.tokio.features")->raw,
			 "[ \"time\", \"macros\",\n  \"rt-multi-thread\"]");
	cr_assert_eq(find(&r, "workspace.lints.clippy.all.priority")->kind, RT_TOML_OTHER);
	recs_free(&r);
	free(text);
}

Test(toml, member_dependency_table_with_quoted_cfg)
{
	char *text = test_slurp(FIXTURES "wasmtime/crates/wasmtime/Cargo.toml");
	recs r = scan_ok(text);

	cr_assert_str_eq(
	    find(&r, "target.cfg(target_os = \"windows\").dependencies.windows-sys.workspace")->raw,
	    "true");
	cr_assert_eq(
	    find(&r, "target.cfg(target_os = \"windows\").dependencies.windows-sys.workspace")
		->table_len,
	    4);
	cr_assert_str_eq(find(&r, "dev-dependencies.wasmtime-wast.version")->string, "=36.0.0");
	recs_free(&r);
	free(text);
}

/* Serialise one leaf as expected.py does: [path, kind, string-or-null]. */
static char *leaf_json(const char *const *path, size_t n, const char *kind, const char *string)
{
	cJSON *leaf = cJSON_CreateArray();
	cJSON *p = cJSON_CreateArray();
	char *s;

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(p, cJSON_CreateString(path[i]));
	cJSON_AddItemToArray(leaf, p);
	cJSON_AddItemToArray(leaf, cJSON_CreateString(kind));
	cJSON_AddItemToArray(leaf, string ? cJSON_CreateString(string) : cJSON_CreateNull());
	s = cJSON_PrintUnformatted(leaf);
	cJSON_Delete(leaf);
	return s;
}

typedef struct {
	char **items;
	size_t n;
} strvec;

static void strvec_add(strvec *v, char *s)
{
	v->items = rt_xrealloc(v->items, (v->n + 1) * sizeof(*v->items));
	v->items[v->n++] = s;
}

static bool strvec_has(const strvec *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

static void strvec_free(strvec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->items[i]);
	free(v->items);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int leaves_cb(const rt_toml_entry *e, void *payload)
{
	strvec *v = payload;
	char *s;

	if (e->in_array_table) { /* [[x]]: one "array" leaf at x, as tomllib sees it */
		s = leaf_json(e->path, e->table_len, "array", NULL);
		if (strvec_has(v, s))
			free(s);
		else
			strvec_add(v, s);
		return 0;
	}
	switch (e->kind) {
	case RT_TOML_STRING:
		strvec_add(v, leaf_json(e->path, e->path_len, "string", e->string));
		break;
	case RT_TOML_ARRAY:
		strvec_add(v, leaf_json(e->path, e->path_len, "array", NULL));
		break;
	case RT_TOML_OTHER:
		strvec_add(v, leaf_json(e->path, e->path_len, "other", NULL));
		break;
	case RT_TOML_INLINE_TABLE:
		break;
	}
	return 0;
}

static void compare_with_tomllib(const char *name, bool crlf)
{
	char *path = rt_xsprintf(FIXTURES "%s", name);
	char *expected_path = rt_xsprintf(FIXTURES "%s.expected.json", name);
	char *text = test_slurp(path);
	char *json = test_slurp(expected_path);
	cJSON *expected = cJSON_Parse(json);
	const cJSON *leaf;
	strvec want = {NULL, 0}, got = {NULL, 0};

	if (crlf) {
		char *c = to_crlf(text);
		free(text);
		text = c;
	}
	cr_assert_not_null(expected, "%s: missing or bad (run expected.py)", expected_path);
	cJSON_ArrayForEach(leaf, expected)
	{
		strvec_add(&want, cJSON_PrintUnformatted(leaf));
	}
	cr_assert_eq(rt_toml_scan(text, strlen(text), name, leaves_cb, &got), 0, "%s: %s", name,
		     rt_error_last() ? rt_error_last()->message : "");
	qsort(want.items, want.n, sizeof(char *), cmp_str);
	qsort(got.items, got.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < want.n && i < got.n; i++)
		cr_assert_str_eq(got.items[i], want.items[i], "%s: leaf %zu differs", name, i);
	cr_assert_eq(got.n, want.n, "%s: %zu leaves, tomllib has %zu", name, got.n, want.n);
	cr_assert_gt(want.n, 0);
	strvec_free(&want);
	strvec_free(&got);
	cJSON_Delete(expected);
	free(json);
	free(text);
	free(expected_path);
	free(path);
}

static const char *const toml_fixtures[] = {
    "zoo/zoo.toml",
    "wasmtime/Cargo.toml",
    "wasmtime/crates/wasmtime/Cargo.toml",
    "wasmtime/crates/test-programs/Cargo.toml",
    "wasmtime/crates/wasi-preview1-component-adapter/Cargo.toml",
    "wasmtime/crates/cranelift-codegen/Cargo.toml",
    "tokio-style/Cargo.toml",
    "pyproject-pep621/pyproject.toml",
    "pyproject-poetry/pyproject.toml",
    "pyproject-dynamic/pyproject.toml",
    NULL,
};

Test(toml, fixtures_match_tomllib)
{
	for (const char *const *f = toml_fixtures; *f; f++)
		compare_with_tomllib(*f, false);
}

Test(toml, fixtures_match_tomllib_with_crlf)
{
	for (const char *const *f = toml_fixtures; *f; f++)
		compare_with_tomllib(*f, true);
}

/* Every string's bytes start and end with its quotes; every value ends where
 * a comment, a separator or a line end may follow. */
static int offsets_cb(const rt_toml_entry *e, void *payload)
{
	const char *text = payload;
	char first = text[e->value_start], last = text[e->value_end - 1];
	char next = text[e->value_end];

	if (e->kind == RT_TOML_STRING) {
		cr_assert(first == '"' || first == '\'', "%s at line %d", e->path[0], e->line);
		cr_assert_eq(first, last, "line %d", e->line);
	}
	if (e->kind == RT_TOML_INLINE_TABLE)
		cr_assert(first == '{' && last == '}', "line %d", e->line);
	if (e->kind == RT_TOML_ARRAY)
		cr_assert(first == '[' && last == ']', "line %d", e->line);
	cr_assert(strchr(" \t\r\n,}#", next) != NULL, "line %d: value followed by '%c'", e->line,
		  next);
	return 0;
}

Test(toml, fixture_offsets_are_exact)
{
	for (const char *const *f = toml_fixtures; *f; f++) {
		char *path = rt_xsprintf(FIXTURES "%s", *f);
		char *text = test_slurp(path);
		cr_assert_eq(rt_toml_scan(text, strlen(text), *f, offsets_cb, text), 0);
		free(text);
		free(path);
	}
}
