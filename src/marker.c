/*
 * marker: whole-line marker and Release-Train trailer detection (see marker.h).
 *
 * The whole-line test runs on every scanned commit, so it jumps between
 * occurrences of the marker's first byte and compares the marker only
 * where a line starts; the trailer parser runs only on messages whose last
 * paragraph mentions the trailer key.
 */
#include "marker.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Only blanks between the start of hit's line and hit? */
static bool opens_line(const char *message, const char *hit)
{
	while (hit > message && blank(hit[-1]))
		hit--;
	return hit == message || hit[-1] == '\n';
}

/* Only blanks between p and the end of its line? */
static bool closes_line(const char *p)
{
	while (blank(*p))
		p++;
	return *p == '\n' || *p == '\0';
}

static bool has_marker_line(const char *message, const char *marker)
{
	size_t len = strlen(marker);
	const char *hit;

	if (len == 0)
		return false;
	/* Every occurrence, as strstr would find them, but found by the first
	 * byte and checked for the line start before the comparison: musl's
	 * two-way strstr cost ~2,000 instructions a message although '['
	 * occurs once or not at all in most messages, and inline mentions
	 * fail the line test at once. */
	for (hit = strchr(message, marker[0]); hit; hit = strchr(hit + 1, marker[0]))
		if (opens_line(message, hit) && strncmp(hit, marker, len) == 0 &&
		    closes_line(hit + len))
			return true;
	return false;
}

static bool is_yes(const char *value)
{
	while (isspace((unsigned char)*value))
		value++;
	return strncasecmp(value, "yes", 3) == 0 || strncasecmp(value, "true", 4) == 0;
}

/* Trailers live in the last paragraph only: look for the key there, so the
 * case-insensitive search stays short on long messages. */
static bool last_paragraph_mentions_key(const char *message)
{
	const char *end = message + strlen(message), *p = end, *start = message;

	while (p > message && (p[-1] == '\n' || p[-1] == '\r' || blank(p[-1])))
		p--; /* trailing blank lines */
	for (; p > message + 1; p--) {
		if (p[-1] == '\n' && (p[-2] == '\n' || (p[-2] == '\r' && p - 2 > message && p[-3] == '\n'))) {
			start = p;
			break;
		}
	}
	for (p = start; p < end; p++) /* a plain loop: musl's strpbrk builds a byte set per call */
		if ((*p == 'r' || *p == 'R') && strncasecmp(p, "release-train", 13) == 0)
			return true;
	return false;
}

static bool has_trailer(const char *message)
{
	git_message_trailer_array trailers = {0};
	bool found = false;
	size_t i;

	if (!last_paragraph_mentions_key(message))
		return false;
	if (git_message_trailers(&trailers, message) < 0)
		return false;
	for (i = 0; i < trailers.count && !found; i++)
		found = strcasecmp(trailers.trailers[i].key, "Release-Train") == 0 &&
			is_yes(trailers.trailers[i].value);
	git_message_trailer_array_free(&trailers);
	return found;
}

bool rt_marker_in_message(const char *message, const char *marker)
{
	return has_marker_line(message, marker) || has_trailer(message);
}
