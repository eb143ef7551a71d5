/* bench/bump_plan: load, plan and edit a workspace as the bump mode does (no network), for bench/bump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cargo.h"
#include "error.h"
int main(int argc, char **argv) {
	rt_cargo_workspace *ws; rt_cargo_options o = {0};
	o.level = argc > 2 ? atoi(argv[2]) : RT_BUMP_MAJOR; o.prerelease_id = argc > 3 ? argv[3] : NULL;
	if (rt_cargo_load(&ws, argv[1]) < 0 || rt_cargo_plan(ws, &o) < 0 || rt_cargo_edit(ws) < 0) {
		const rt_error *e = rt_error_last(); printf("error %s:%d %s\n", e->file?e->file:"", e->line, e->message); return 1; }
	size_t pub=0, ed=0;
	for (size_t i = 0; i < ws->count; i++) { pub += ws->crates[i].new_version != NULL; if (getenv("V")) printf("%s %s -> %s\n", ws->crates[i].name, ws->crates[i].version, ws->crates[i].new_version ? ws->crates[i].new_version : "-"); }
	for (size_t i = 0; i < ws->nfiles; i++) ed += ws->files[i].edits;
	for (size_t i = 0; i < ws->nwarnings; i++) printf("warn %s\n", ws->warnings[i]);
	printf("crates %zu bumped %zu files %zu edits %zu\n", ws->count, pub, ws->nfiles, ed);
	if (getenv("W")) for (size_t i = 0; i < ws->nfiles; i++) if (ws->files[i].edits) { char *p; asprintf(&p, "%s/%s", argv[1], ws->files[i].path); rt_buf_write_file_atomic(p, ws->files[i].after.ptr, ws->files[i].after.len); }
	rt_cargo_free(ws); return 0; }
