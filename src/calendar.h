/*
 * calendar: the only-on guard of scheduled bumps.
 *
 * cron cannot say "the second Monday of the month", so a workflow runs
 * on a plain schedule (every Monday, every day) and release-train decides
 * whether today is the day. The grammar is small and closed: one or more
 * rules separated by commas or newlines, any of which may match:
 *
 *   `2nd monday`, `first friday`, `last friday` (`1st`..`5th`,
 *   `first`..`fifth`, `last`; weekday names or their three-letter forms),
 *   `last day` (the month's last day), `day 5` (the 5th of the month;
 *   1-31, a day past the month's end never matches).
 *
 * Anything else is an exit-2 error that quotes the rule.
 */
#ifndef RT_CALENDAR_H
#define RT_CALENDAR_H

#include <stdbool.h>

/* Check the grammar only. */
int rt_calendar_check(const char *spec);
/* Does the date (year, month 1-12, day 1-31) match any rule of spec? */
int rt_calendar_matches(bool *match, const char *spec, int year, int month, int day);

#endif
