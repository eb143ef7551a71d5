/*
 * calendar: only-on rules (see calendar.h).
 *
 * Weekdays come from the date itself (Sakamoto's method), not from the
 * C library's locale or time zone: the runner's TZ is UTC anyway and a
 * rule must mean the same on a developer's machine.
 */
#include "calendar.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "error.h"

typedef enum { RULE_NTH_WEEKDAY, RULE_LAST_WEEKDAY, RULE_LAST_DAY, RULE_DAY } rule_kind;

typedef struct {
	rule_kind kind;
	int n;       /* nth (1-5) or day of month */
	int weekday; /* 0 sunday .. 6 saturday */
} rule;

static const char *const weekdays[] = {"sunday",   "monday", "tuesday", "wednesday",
				       "thursday", "friday", "saturday"};
static const char *const ordinals[] = {"first", "second", "third", "fourth", "fifth"};
static const char *const numbered[] = {"1st", "2nd", "3rd", "4th", "5th"};

static int weekday_of(int y, int m, int d)
{
	static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};

	if (m < 3)
		y -= 1;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

static int find_weekday(const char *w)
{
	int i;

	for (i = 0; i < 7; i++)
		if (strcasecmp(w, weekdays[i]) == 0 || (strlen(w) == 3 && strncasecmp(w, weekdays[i], 3) == 0))
			return i;
	return -1;
}

static int bad_rule(const char *text)
{
	return rt_error_set(RT_ERR_INPUT,
			    "input 'only-on' has the rule '%s' that is not understood; write e.g. '2nd monday', 'first friday', 'last friday', 'last day' or 'day 5'",
			    text);
}

/* One rule: two words. */
static int parse_rule(rule *out, const char *text)
{
	char first[16] = "", second[16] = "", extra[2] = "";
	int i, n;
	char *end;

	if (sscanf(text, "%15s %15s %1s", first, second, extra) != 2)
		return bad_rule(text);
	if (strcasecmp(first, "day") == 0) {
		n = (int)strtol(second, &end, 10);
		if (*end || n < 1 || n > 31)
			return bad_rule(text);
		out->kind = RULE_DAY;
		out->n = n;
		return 0;
	}
	if (strcasecmp(first, "last") == 0) {
		if (strcasecmp(second, "day") == 0) {
			out->kind = RULE_LAST_DAY;
			return 0;
		}
		out->kind = RULE_LAST_WEEKDAY;
		out->weekday = find_weekday(second);
		return out->weekday < 0 ? bad_rule(text) : 0;
	}
	for (i = 0; i < 5; i++)
		if (strcasecmp(first, ordinals[i]) == 0 || strcasecmp(first, numbered[i]) == 0)
			break;
	if (i == 5)
		return bad_rule(text);
	out->kind = RULE_NTH_WEEKDAY;
	out->n = i + 1;
	out->weekday = find_weekday(second);
	return out->weekday < 0 ? bad_rule(text) : 0;
}

static bool rule_matches(const rule *r, int y, int m, int d)
{
	switch (r->kind) {
	case RULE_DAY: return d == r->n;
	case RULE_LAST_DAY: return d == days_in_month(y, m);
	case RULE_NTH_WEEKDAY: return weekday_of(y, m, d) == r->weekday && (d - 1) / 7 + 1 == r->n;
	case RULE_LAST_WEEKDAY: return weekday_of(y, m, d) == r->weekday && d + 7 > days_in_month(y, m);
	}
	return false;
}

/* Call each rule of spec; match (if not NULL) gets whether any matched. */
static int each_rule(bool *match, const char *spec, int y, int m, int d)
{
	const char *p = spec ? spec : "";
	int count = 0;

	if (match)
		*match = false;
	while (*p) {
		size_t n = strcspn(p, ",\n");
		char *one = rt_xstrndup(p, n), *s = one, *e;
		rule r = {RULE_DAY, 0, 0};

		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s) {
			if (parse_rule(&r, s) < 0) {
				free(one);
				return -1;
			}
			count++;
			if (match && rule_matches(&r, y, m, d))
				*match = true;
		}
		free(one);
		p += n + (p[n] != '\0');
	}
	if (count == 0)
		return rt_error_set(RT_ERR_INPUT, "input 'only-on' names no rule; write e.g. '2nd monday'");
	return 0;
}

int rt_calendar_check(const char *spec)
{
	return each_rule(NULL, spec, 2000, 1, 1);
}

int rt_calendar_matches(bool *match, const char *spec, int year, int month, int day)
{
	if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
		return rt_error_set(RT_ERR_INPUT, "invalid date %04d-%02d-%02d", year, month, day);
	return each_rule(match, spec, year, month, day);
}
