/*
 * modes: the three entry points, one signature (after libgit2's lg2 table).
 *
 * Each mode gets the validated configuration, does its work through the
 * other modules, writes its outputs and summary through runner, and
 * returns 0 or -1 with the error recorded. Adding a mode is one row in
 * main.c's table.
 */
#ifndef RT_MODES_H
#define RT_MODES_H

#include "inputs.h"

int rt_mode_bump(const rt_config *cfg);
int rt_mode_tag(const rt_config *cfg);
int rt_mode_release(const rt_config *cfg);

#endif
