/*
 * cargo: the format-preserving editor on hand-written tricky manifests
 * (exact output bytes), requirement operators, Cargo.lock, and workspace
 * discovery on a temporary tree (globs, exclude, path dependencies,
 * version.workspace, publish = false, errors with file:line).
 */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "cargo.h"
#include "helpers.h"

static const rt_cargo_bump crates[] = {
	{"wasmtime", "49.0.0", "50.0.0"},
	{"wasmtime-internal-core", "49.0.0", "50.0.0"},
	{"cranelift-codegen", "0.136.0", "0.137.0"},
	{"test-programs", "0.0.0", NULL},
};
static const rt_cargo_bumps bumps = {crates, 4, "50.0.0"};

static void expect_edit(const char *in, const char *want, size_t want_edits)
{
	rt_buf out = RT_BUF_INIT;
	size_t edits = 99;

	cr_assert_eq(rt_cargo_edit_manifest(&out, &edits, in, strlen(in), "Cargo.toml", &bumps, NULL), 0,
		     "%s", rt_error_last() ? rt_error_last()->message : "");
	cr_expect_str_eq(rt_buf_cstr(&out), want);
	cr_expect_eq(edits, want_edits, "edits %zu, want %zu", edits, want_edits);
	rt_buf_free(&out);
}

Test(cargo_edit, every_dependency_form)
{
	const char *in =
		"# comment: wasmtime = \"49.0.0\"\r\n"
		"[package]\r\n"
		"name = 'wasmtime'\r\n"
		"version   =   \"49.0.0\"   # own version\r\n"
		"\r\n"
		"[dependencies]\r\n"
		"wasmtime-core = { package = 'wasmtime-internal-core', path = \"../core\", version = \"=49.0.0\" }\r\n"
		"cranelift-codegen = \"0.136.0\"\r\n"
		"serde = \"49.0.0\" # not ours\r\n"
		"\r\n"
		"[target.'cfg(unix)'.dev-dependencies]\r\n"
		"wasmtime = {\r\n"
		"  path = \"..\",\r\n"
		"  version = \"~49.0.0\",\r\n"
		"}\r\n"
		"\r\n"
		"[build-dependencies.wasmtime]\r\n"
		"path = \"x\"\r\n"
		"version = \">=49.0.0\"\r\n"
		"description = \"\"\"\r\n"
		"version = \"49.0.0\"\r\n"
		"\"\"\"\r\n"
		"[dependencies.test-programs]\r\n"
		"path = \"../tp\"\r\n"
		"version = \"0.0.0\"";
	const char *want =
		"# comment: wasmtime = \"49.0.0\"\r\n"
		"[package]\r\n"
		"name = 'wasmtime'\r\n"
		"version   =   \"50.0.0\"   # own version\r\n"
		"\r\n"
		"[dependencies]\r\n"
		"wasmtime-core = { package = 'wasmtime-internal-core', path = \"../core\", version = \"=50.0.0\" }\r\n"
		"cranelift-codegen = \"0.137.0\"\r\n"
		"serde = \"49.0.0\" # not ours\r\n"
		"\r\n"
		"[target.'cfg(unix)'.dev-dependencies]\r\n"
		"wasmtime = {\r\n"
		"  path = \"..\",\r\n"
		"  version = \"~50.0.0\",\r\n"
		"}\r\n"
		"\r\n"
		"[build-dependencies.wasmtime]\r\n"
		"path = \"x\"\r\n"
		"version = \">=50.0.0\"\r\n"
		"description = \"\"\"\r\n"
		"version = \"49.0.0\"\r\n"
		"\"\"\"\r\n"
		"[dependencies.test-programs]\r\n"
		"path = \"../tp\"\r\n"
		"version = \"0.0.0\"";

	expect_edit(in, want, 5);
	/* a dotted requirement with a caret and fewer parts */
	expect_edit("[dependencies]\ncranelift-codegen.path = \"../cg\"\ncranelift-codegen.version = '^0.136'\n",
		    "[dependencies]\ncranelift-codegen.path = \"../cg\"\ncranelift-codegen.version = '^0.137'\n", 1);
}

Test(cargo_edit, workspace_tables_and_dotted_keys)
{
	expect_edit("[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"49.0.0\"\n"
		    "[workspace.dependencies]\nwasmtime = { path = \"crates/wasmtime\", version = \"49.0.0\", default-features = false }\n"
		    "cranelift-codegen = { path = \"cranelift/codegen\", version = \"0.136.0\" }\n"
		    "wasmtime-core = { path = \"crates/core\", version = \"=49.0.0\", package = 'wasmtime-internal-core' }\n"
		    "test-programs = { path = \"crates/tp\" }\n",
		    "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"50.0.0\"\n"
		    "[workspace.dependencies]\nwasmtime = { path = \"crates/wasmtime\", version = \"50.0.0\", default-features = false }\n"
		    "cranelift-codegen = { path = \"cranelift/codegen\", version = \"0.137.0\" }\n"
		    "wasmtime-core = { path = \"crates/core\", version = \"=50.0.0\", package = 'wasmtime-internal-core' }\n"
		    "test-programs = { path = \"crates/tp\" }\n",
		    4);
	expect_edit("[workspace]\npackage.version = '49.0.0'\n", "[workspace]\npackage.version = '50.0.0'\n", 1);
	expect_edit("package.name = \"wasmtime\"\npackage.version = \"49.0.0\"", "package.name = \"wasmtime\"\npackage.version = \"50.0.0\"", 1);
}

Test(cargo_edit, leaves_what_is_not_ours)
{
	const char *same =
		"[package]\nname = \"other\"\nversion = \"49.0.0\"\n"
		"[dependencies]\n"
		"wasmtime = { workspace = true }\n"             /* edited in the root */
		"wasmtime-git = { git = \"https://x\", package = \"wasmtime\", version = \"49.0.0\" }\n"
		"old-wasmtime = { package = \"wasmtime\", version = \"30\" }\n" /* a published old release on purpose */
		"cranelift-codegen = \">=0.100, <0.200\"\n"
		"test-programs = { path = \"../tp\", version = \"0.0.0\" }\n" /* publish = false */
		"[features]\nwasmtime = [\"dep:wasmtime\"]\n";

	expect_edit(same, same, 0);
}

Test(cargo_edit, no_final_newline_and_literal_strings)
{
	expect_edit("[package]\nname = \"cranelift-codegen\"\nversion = '0.136.0'",
		    "[package]\nname = \"cranelift-codegen\"\nversion = '0.137.0'", 1);
}

Test(cargo_edit, broken_manifest_names_file_and_line)
{
	rt_buf out = RT_BUF_INIT;
	size_t edits;
	const char *in = "[package]\nname = \"wasmtime\"\nversion = \"49.0.0\n";

	cr_assert_eq(rt_cargo_edit_manifest(&out, &edits, in, strlen(in), "crates/x/Cargo.toml", &bumps, NULL), -1);
	cr_expect_str_eq(rt_error_last()->file, "crates/x/Cargo.toml");
	cr_expect_eq(rt_error_last()->line, 3);
	cr_expect_eq(rt_error_last()->kind, RT_ERR_INPUT);
	rt_buf_free(&out);
	rt_error_clear();
}

Test(cargo_requirement, operators_and_precision_are_kept)
{
	/* requirement, old, new, want (NULL: refused) */
	const char *cases[][4] = {
		{"49.0.0", "49.0.0", "50.0.0", "50.0.0"},
		{"=49.0.0", "49.0.0", "50.0.0", "=50.0.0"},
		{"= 49.0.0", "49.0.0", "50.0.0", "= 50.0.0"},
		{"=49.0.0-dev", "49.0.0-dev", "50.0.0-dev", "=50.0.0-dev"},
		{"49.0.0-dev", "49.0.0-dev", "49.0.0-rc.1", "49.0.0-rc.1"},
		{"^0.5", "0.5.3", "0.6.0", "^0.6"},
		{"0.1", "0.1.17", "0.1.18", "0.1"},         /* names 0.1, still true: kept */
		{"0.1", "0.1.17", "0.2.0", "0.2"},
		{"0.136", "0.136.0-dev", "0.137.0-dev", "0.137.0-dev"}, /* a pre-release needs all parts */
		{"~1.2.3", "1.2.3", "1.3.0", "~1.3.0"},
		{">=1.0.0", "1.0.0", "2.0.0", ">=2.0.0"},
		{"1.0.0", "1.53.1", "1.53.2", "1.0.0"},     /* tokio's loose minimum, still true: kept */
		{"1.0.0", "1.53.1", "2.0.0", "2.0.0"},      /* no longer true: follows */
		{"~1.2", "1.2.9", "1.2.10", "~1.2"},
		{"=1.2", "1.2.9", "1.3.0", "=1.3"},
		{"0.0.3", "0.0.3", "0.0.4", "0.0.4"},
		{"*", "1.0.0", "2.0.0", NULL},
		{">=1, <2", "1.0.0", "2.0.0", NULL},
		{"<2.0", "1.0.0", "2.0.0", NULL},
		{">1", "1.0.0", "2.0.0", NULL},
		{"1.*", "1.0.0", "2.0.0", NULL},
		{"", "1.0.0", "2.0.0", NULL},
		{"1.0 2.0", "1.0.0", "2.0.0", NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = rt_cargo_requirement_bump(cases[i][0], cases[i][1], cases[i][2]);
		if (cases[i][3])
			cr_expect(got && strcmp(got, cases[i][3]) == 0, "'%s' (%s -> %s) gave '%s', want '%s'",
				  cases[i][0], cases[i][1], cases[i][2], got ? got : "(null)", cases[i][3]);
		else
			cr_expect_null(got, "'%s' must be left alone, got %s", cases[i][0], got);
		free(got);
	}
}

Test(cargo_lock, workspace_entries_only)
{
	const char *in =
		"version = 4\n\n"
		"[[package]]\nname = \"wasmtime\"\nversion = \"49.0.0\"\ndependencies = [\n \"cranelift-codegen 0.136.0\",\n \"cranelift-codegen 0.100.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n \"serde\",\n]\n\n"
		"[[package]]\nname = \"cranelift-codegen\"\nversion = \"0.136.0\"\n\n"
		"[[package]]\nname = \"cranelift-codegen\"\nversion = \"0.100.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
		"[[package]]\nname = \"test-programs\"\nversion = \"0.0.0\"\n";
	const char *want =
		"version = 4\n\n"
		"[[package]]\nname = \"wasmtime\"\nversion = \"50.0.0\"\ndependencies = [\n \"cranelift-codegen 0.137.0\",\n \"cranelift-codegen 0.100.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n \"serde\",\n]\n\n"
		"[[package]]\nname = \"cranelift-codegen\"\nversion = \"0.137.0\"\n\n"
		"[[package]]\nname = \"cranelift-codegen\"\nversion = \"0.100.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n"
		"[[package]]\nname = \"test-programs\"\nversion = \"0.0.0\"\n";
	rt_buf out = RT_BUF_INIT;
	size_t edits;

	cr_assert_eq(rt_cargo_edit_lock(&out, &edits, in, strlen(in), "Cargo.lock", &bumps), 0);
	cr_expect_str_eq(rt_buf_cstr(&out), want);
	cr_expect_eq(edits, 3);
	rt_buf_free(&out);
}

/* --- discovery on a real tree --- */

static char *root;

static void put(const char *rel, const char *text)
{
	char *path = rt_xsprintf("%s/%s", root, rel), *slash, *dir = rt_xstrdup(path);

	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	test_write(path, text);
	free(dir);
	free(path);
}

static void setup(void)
{
	root = test_tmpdir();
}

static void teardown(void)
{
	char *cmd = rt_xsprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", root);
	free(cmd);
	free(root);
}

static const rt_cargo_crate *crate_named(const rt_cargo_workspace *ws, const char *name)
{
	size_t i;
	for (i = 0; i < ws->count; i++)
		if (strcmp(ws->crates[i].name, name) == 0)
			return &ws->crates[i];
	return NULL;
}

Test(cargo_load, globs_exclude_paths_inheritance_publish, .init = setup, .fini = teardown)
{
	rt_cargo_workspace *ws = NULL;
	rt_cargo_options opts = {RT_BUMP_MAJOR, "dev", NULL, false};
	const char *old_v, *new_v;

	put("Cargo.toml", "[package]\nname = \"root\"\nversion.workspace = true\n\n"
			  "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/skip\"]\n\n"
			  "[workspace.package]\nversion = \"49.0.0-dev\"\n\n"
			  "[workspace.dependencies]\nauto = { path = \"auto\", version = \"0.136.0-dev\" }\n"
			  "[dependencies]\nauto.workspace = true\nsub = { path = \"vendor/sub\" }\n");
	put("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion.workspace = true\n");
	put("crates/b/Cargo.toml", "[package]\nname = \"b\"\nversion = \"0.1.0\"\npublish = false\n");
	put("crates/skip/Cargo.toml", "[package]\nname = \"skip\"\nversion = \"1.0.0\"\n");
	put("crates/README.md", "not a crate\n");
	put("auto/Cargo.toml", "[package]\nname = \"auto\"\nversion = \"0.136.0-dev\"\n");
	put("vendor/README", "an uninitialised submodule: no vendor/sub\n");

	cr_assert_eq(rt_cargo_load(&ws, root), 0, "%s", rt_error_last() ? rt_error_last()->message : "");
	cr_expect_eq(ws->count, 4);
	cr_expect_not_null(crate_named(ws, "root"));
	cr_expect_not_null(crate_named(ws, "auto"), "a path dependency inside the root is a member");
	cr_expect_null(crate_named(ws, "skip"), "excluded");
	cr_expect(crate_named(ws, "a")->inherits);
	cr_expect_not(crate_named(ws, "b")->publish);
	cr_expect_eq(ws->nwarnings, 1);
	cr_expect(strstr(ws->warnings[0], "vendor/sub/Cargo.toml") != NULL, "%s", ws->warnings[0]);
	cr_assert_eq(rt_cargo_plan(ws, &opts), 0);
	cr_expect_str_eq(crate_named(ws, "a")->new_version, "50.0.0-dev");
	cr_expect_str_eq(crate_named(ws, "auto")->new_version, "0.137.0-dev");
	cr_expect_null(crate_named(ws, "b")->new_version);
	rt_cargo_primary_version(ws, &old_v, &new_v);
	cr_expect_str_eq(old_v, "49.0.0-dev");
	cr_expect_str_eq(new_v, "50.0.0-dev");
	cr_assert_eq(rt_cargo_edit(ws), 0);
	cr_expect_str_eq(rt_buf_cstr(&ws->files[0].after),
			 "[package]\nname = \"root\"\nversion.workspace = true\n\n"
			 "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/skip\"]\n\n"
			 "[workspace.package]\nversion = \"50.0.0-dev\"\n\n"
			 "[workspace.dependencies]\nauto = { path = \"auto\", version = \"0.137.0-dev\" }\n"
			 "[dependencies]\nauto.workspace = true\nsub = { path = \"vendor/sub\" }\n");
	rt_cargo_free(ws);
}

Test(cargo_load, glob_matching_nothing_is_an_error, .init = setup, .fini = teardown)
{
	rt_cargo_workspace *ws = NULL;

	put("Cargo.toml", "[workspace]\nmembers = [\n  \"crates/a\",\n  \"tools/*\",\n]\n");
	put("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"1.0.0\"\n");
	cr_assert_eq(rt_cargo_load(&ws, root), -1);
	cr_expect_str_eq(rt_error_last()->file, "Cargo.toml");
	cr_expect_eq(rt_error_last()->line, 4);
	cr_expect(strstr(rt_error_last()->message, "tools/*") != NULL);
	rt_error_clear();
}

Test(cargo_load, member_without_manifest_is_an_error, .init = setup, .fini = teardown)
{
	rt_cargo_workspace *ws = NULL;

	put("Cargo.toml", "[workspace]\nmembers = [\"crates/a\", \"crates/gone\"]\n");
	put("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"1.0.0\"\n");
	cr_assert_eq(rt_cargo_load(&ws, root), -1);
	cr_expect_eq(rt_error_last()->kind, RT_ERR_INPUT);
	cr_expect_eq(rt_error_last()->line, 2);
	cr_expect(strstr(rt_error_last()->message, "crates/gone") != NULL);
	rt_error_clear();
}

Test(cargo_plan, explicit_version_needs_one_version, .init = setup, .fini = teardown)
{
	rt_cargo_workspace *ws = NULL;
	rt_cargo_options opts = {RT_BUMP_MAJOR, NULL, "2.0.0", false};

	put("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n");
	put("a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"1.0.0\"\n");
	put("b/Cargo.toml", "[package]\nname = \"b\"\nversion = \"0.3.0\"\n");
	cr_assert_eq(rt_cargo_load(&ws, root), 0);
	cr_expect_eq(rt_cargo_plan(ws, &opts), -1);
	cr_expect_eq(rt_error_last()->kind, RT_ERR_INPUT);
	rt_error_clear();
	rt_cargo_free(ws);
}
