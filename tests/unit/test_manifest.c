/*
 * Unit tests of rt_manifest_version: the version a project declares, read
 * by format from real-shaped manifests (tests/fixtures/manifests/), never
 * a dependency's requirement or text that merely looks like one.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "manifest.h"

#define FIXTURES "tests/fixtures/manifests/"

static void assert_version(const char *display_path, const char *text, const char *want)
{
	char *out = NULL;
	int rc;

	rt_error_clear();
	rc = rt_manifest_version(&out, display_path, text, strlen(text));
	cr_assert_eq(rc, 0, "%s: %s", display_path,
		     rt_error_last() ? rt_error_last()->message : "(no error recorded)");
	cr_assert_str_eq(out, want, "%s", display_path);
	free(out);
}

/* rt_manifest_version must fail with an input error at file:line mentioning want. */
static void assert_failure_n(const char *display_path, const char *text, size_t len, int line,
			     const char *want)
{
	char *out = (char *)"untouched";
	int rc;

	rt_error_clear();
	rc = rt_manifest_version(&out, display_path, text, len);
	cr_assert_lt(rc, 0, "%s should fail", display_path);
	cr_assert_null(out);
	cr_assert_not_null(rt_error_last());
	cr_assert_eq(rt_error_last()->kind, RT_ERR_INPUT);
	cr_assert_str_eq(rt_error_last()->file, display_path);
	cr_assert_eq(rt_error_last()->line, line, "line %d, expected %d: %s", rt_error_last()->line,
		     line, rt_error_last()->message);
	cr_assert_not_null(strstr(rt_error_last()->message, want), "message <<%s>> lacks <<%s>>",
			   rt_error_last()->message, want);
	rt_error_clear();
}

static void assert_failure(const char *display_path, const char *text, int line, const char *want)
{
	assert_failure_n(display_path, text, strlen(text), line, want);
}

static void assert_fixture(const char *fixture, const char *display_path, const char *want)
{
	char *text = test_slurp(fixture);

	cr_assert_gt(strlen(text), 0, "%s missing: run from the repository root", fixture);
	assert_version(display_path, text, want);
	free(text);
}

Test(manifest, auto_files)
{
	cr_assert_str_eq(rt_manifest_auto_files[0], "Cargo.toml");
	cr_assert_str_eq(rt_manifest_auto_files[1], "package.json");
	cr_assert_str_eq(rt_manifest_auto_files[2], "VERSION");
	cr_assert_null(rt_manifest_auto_files[3]);
}

/* --- Cargo.toml ---------------------------------------------------------- */

Test(manifest, wasmtime_root_takes_workspace_package_version)
{
	/* [package] version.workspace = true comes first, a dependency's
	 * `version = "1.43.0"` with `rt-multi-thread"] }` on the next line
	 * comes before [workspace.package]. */
	assert_fixture(FIXTURES "wasmtime/Cargo.toml", "Cargo.toml", "36.0.0");
}

Test(manifest, member_with_literal_version)
{
	assert_fixture(FIXTURES "wasmtime/crates/cranelift-codegen/Cargo.toml",
		       "cranelift/codegen/Cargo.toml", "0.123.0");
}

Test(manifest, unpublished_crate_still_has_its_version)
{
	assert_fixture(FIXTURES "wasmtime/crates/test-programs/Cargo.toml",
		       "crates/test-programs/Cargo.toml", "0.0.0");
}

Test(manifest, dependencies_before_package)
{
	/* The first `version =` line is [dependencies.tokio]'s; a multi-line
	 * description holds `version = "9.9.9"` as text. */
	assert_fixture(FIXTURES "tokio-style/Cargo.toml", "tokio-util/Cargo.toml", "0.7.16");
}

Test(manifest, first_version_line_is_a_dependency)
{
	assert_version("Cargo.toml",
		       "[dependencies]\n"
		       "tokio = { version = \"1.43.0\", features = [\"rt\",\n"
		       "  \"rt-multi-thread\"] }\n"
		       "serde = { version = \"1\" }\n"
		       "[dependencies.foo]\n"
		       "version = \"2\"\n"
		       "[package]\n"
		       "name = \"x\"\n"
		       "version = \"3.1.4\"\n",
		       "3.1.4");
}

Test(manifest, rt_multi_thread_text_before_the_version)
{
	/* Text shaped like what produced Wasmtime's tag `vrt-multi-thread] }`. */
	assert_version(
	    "Cargo.toml",
	    "[workspace.dependencies]\n"
	    "tokio = { version = \"1.26.0\", features = [ \"rt\", \"time\", \"macros\",\n"
	    "  \"rt-multi-thread\" ] }\n"
	    "version-of-nothing = \"rt-multi-thread] }\"\n"
	    "# version = \"rt-multi-thread] }\"\n"
	    "[workspace.package]\n"
	    "version = \"8.0.0\"\n",
	    "8.0.0");
}

Test(manifest, workspace_package_wins_over_package)
{
	assert_version("Cargo.toml",
		       "[package]\nname = \"root\"\nversion = \"0.1.0\"\n"
		       "[workspace.package]\nversion = \"2.0.0\"\n",
		       "2.0.0");
	assert_version("Cargo.toml", "[workspace]\npackage = { version = \"4.0.0\" }\n", "4.0.0");
	assert_version("Cargo.toml", "workspace.package.version = '5.0.0-rc.1'", "5.0.0-rc.1");
}

Test(manifest, package_version_forms)
{
	assert_version("Cargo.toml", "[package]\nname = \"a\"\nversion = \"1.2.3\"\n", "1.2.3");
	assert_version("Cargo.toml", "package.name = \"a\"\npackage.version = \"1.2.4\"", "1.2.4");
	assert_version("Cargo.toml", "package = { name = \"a\", version = \"1.2.5\" }\n", "1.2.5");
	assert_version("Cargo.toml", "[package]\r\nversion = \"1.2.6+build.7\"\r\n",
		       "1.2.6+build.7");
	assert_version("Cargo.toml", "[package]\nversion = \"\\u0031.0.0\" # escaped\n", "1.0.0");
	assert_version(
	    "Cargo.toml",
	    "[package]\nversion.workspace = true\n[workspace.package]\nversion = \"7.0.0\"\n",
	    "7.0.0");
	assert_version("Cargo.toml",
		       "[package]\nversion = { workspace = true }\n[workspace.package]\n"
		       "version = \"7.0.1\"\n",
		       "7.0.1");
}

Test(manifest, cargo_in_a_subdirectory_is_still_cargo)
{
	assert_version("crates/foo/Cargo.toml", "[package]\nversion = \"0.2.0\"\n", "0.2.0");
}

Test(manifest, inherited_version_without_workspace)
{
	char *text = test_slurp(FIXTURES "wasmtime/crates/wasmtime/Cargo.toml");

	assert_failure("crates/wasmtime/Cargo.toml", text, 3, "[workspace.package] version");
	free(text);
	assert_failure("Cargo.toml", "[package]\nname = \"a\"\nversion = { workspace = true }\n", 3,
		       "no [workspace.package] version");
	assert_failure("Cargo.toml", "[package]\nversion.workspace = false\n", 2,
		       "version.workspace must be true");
}

Test(manifest, cargo_without_version)
{
	const char *text = "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\n"
			   "foo = { version = \"1\" }\n[dependencies.bar]\nversion = \"2\"\n";

	assert_failure("Cargo.toml", text, 0, "version-from");
	assert_failure("Cargo.toml", text, 0, "[workspace.package] version");
	assert_failure("Cargo.toml", "", 0, "no version");
	/* declaring no version is RT_ENOTFOUND, so auto detection can try the next file */
	cr_assert_eq(rt_manifest_version(&(char *){NULL}, "Cargo.toml", NULL, 0), RT_ENOTFOUND);
	cr_assert_eq(rt_manifest_version(&(char *){NULL}, "Cargo.toml", text, strlen(text)),
		     RT_ENOTFOUND);
	cr_assert_eq(rt_manifest_version(&(char *){NULL}, "package.json", "{\"private\": true}", 17),
		     RT_ENOTFOUND);
	cr_assert_eq(rt_manifest_version(&(char *){NULL}, "pyproject.toml", "[project]\n", 10),
		     RT_ENOTFOUND);
	/* a version that is there but wrong is a plain error */
	cr_assert_eq(rt_manifest_version(&(char *){NULL}, "package.json", "{\"version\": 1}", 14), -1);
	rt_error_clear();
}

Test(manifest, cargo_version_not_a_string)
{
	assert_failure("Cargo.toml", "[package]\nname = \"a\"\n\nversion = 1\n", 4,
		       "must be a quoted string");
	assert_failure("Cargo.toml", "[workspace.package]\nversion = [\"1\"]\n", 2,
		       "[workspace.package] version must be a quoted string");
	assert_failure("Cargo.toml", "[package]\nversion = \"\"\n", 2, "is empty");
}

Test(manifest, cargo_syntax_error_names_the_line)
{
	/* The classic mistake: an unquoted version is not TOML at all. */
	assert_failure("Cargo.toml", "[package]\nname = \"a\"\nversion = 1.2.3\n", 3,
		       "invalid value '1.2.3'; strings must be quoted");
	const char *text = "[package]\nname = \"a\"\nversion = \"1.0.0\"\n\n[dependencies]\n"
			   "tokio = { version = \"1\", features = [\"rt\" }\n";

	assert_failure("Cargo.toml", text, 6, "expected ',' or ']'");
	assert_failure("Cargo.toml", "[package]\nversion = \"1.0.0\n", 2, "unterminated string");
}

Test(manifest, cargo_crlf_and_no_final_newline)
{
	assert_version("Cargo.toml",
		       "# root\r\n[workspace]\r\nmembers = [\r\n  \"a\",\r\n]\r\n\r\n"
		       "[workspace.package]\r\nversion = \"49.0.0\"",
		       "49.0.0");
}

/* --- package.json ---------------------------------------------------------- */

Test(manifest, package_json)
{
	assert_fixture(FIXTURES "pkg/package.json", "package.json", "21.1.1");
	assert_version("web/package.json", "\xEF\xBB\xBF{\"version\": \"0.1.0\"}", "0.1.0");
	assert_version("package.json", "{\"name\":\"x\",\"version\":\"1.0.0-beta.2\"}\n",
		       "1.0.0-beta.2");
}

Test(manifest, package_json_nested_version_is_not_the_version)
{
	const char *text = "{\n  \"name\": \"x\",\n  \"engines\": { \"version\": \"18\" },\n"
			   "  \"dependencies\": { \"version\": \"1.0.0\" }\n}\n";

	assert_failure("package.json", text, 0, "no top-level \"version\"");
}

Test(manifest, package_json_errors)
{
	const char *bad =
	    "{\n  \"name\": \"x\",\n  \"version\": \"1.0.0\"\n  \"private\": true\n}\n";

	assert_failure("package.json", bad, 4, "not valid JSON");
	assert_failure("package.json", "{\"version\": 1}", 0, "must be a non-empty string");
	assert_failure("package.json", "{\"version\": \"\"}", 0, "must be a non-empty string");
	assert_failure("package.json", "[\"version\", \"1.0.0\"]", 1, "JSON object");
	assert_failure("package.json", "", 1, "not valid JSON");
	assert_failure("package.json", "{\"version\": \"1.0.0\"} trailing", 1, "not valid JSON");
}

/* --- pyproject.toml ------------------------------------------------------- */

Test(manifest, pyproject)
{
	assert_fixture(FIXTURES "pyproject-pep621/pyproject.toml", "pyproject.toml", "25.3.0");
	assert_fixture(FIXTURES "pyproject-poetry/pyproject.toml", "pyproject.toml", "1.4.0b2");
	assert_version("pyproject.toml",
		       "[tool.poetry]\nversion = \"0.9.0\"\n[project]\nversion = \"1.0.0\"\n",
		       "1.0.0");
}

Test(manifest, pyproject_without_version)
{
	char *text = test_slurp(FIXTURES "pyproject-dynamic/pyproject.toml");

	assert_failure("pyproject.toml", text, 7, "dynamic");
	free(text);
	assert_failure("pyproject.toml", "[project]\nname = \"x\"\n", 0, "version-from");
	assert_failure("pyproject.toml", "[project]\ndynamic = [1]\n", 0, "no version");
	assert_failure("pyproject.toml", "[project]\nversion = 1\n", 2, "quoted string");
	assert_failure("pyproject.toml", "[project\n", 1, "bad table header");
}

/* --- plain version files -------------------------------------------------- */

Test(manifest, plain_version_files)
{
	assert_fixture(FIXTURES "plain/VERSION", "VERSION", "2.41.0");
	assert_version("VERSION", "1.2.3", "1.2.3");
	assert_version("VERSION", "  \t1.2.3 \r\n\n\n", "1.2.3");
	assert_version("VERSION", "\n\n1.2.3\n", "1.2.3");
	assert_version("version.txt",
		       "\xEF\xBB\xBF"
		       "0.9.1\n",
		       "0.9.1");
	assert_version("sub/dir/VERSION", "3.0.0-rc.1\n", "3.0.0-rc.1");
	/* Only the basename picks the format: a directory named Cargo.toml does not. */
	assert_version("Cargo.toml/VERSION", "4.0.0\n", "4.0.0");
}

Test(manifest, plain_version_errors)
{
	assert_failure("VERSION", "", 0, "empty");
	assert_failure("VERSION", " \n\t\r\n", 0, "empty");
	assert_failure("VERSION", "1.2.3\n\n4.5.6\n", 3, "more than one line");
	assert_failure("version.txt", "\n1.2.3\r\nnotes\r\n", 3, "more than one line");
	assert_failure("VERSION", "1.2.3\r4.5.6", 1, "more than one line");
	assert_failure_n("VERSION", "1.2\0.3\n", 7, 1, "NUL");
}
