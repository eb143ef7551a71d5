/*
 * marker: does a commit message mark a release?
 *
 * The marker counts only as a whole line of the message (surrounding
 * blanks and a CR ignored), never inside other text, so a commit that
 * quotes the marker in a sentence is not a release. A git trailer
 * `Release-Train: yes` in the message's trailer block counts too (parsed
 * by libgit2's git_message_trailers, as git itself reads trailers).
 */
#ifndef RT_MARKER_H
#define RT_MARKER_H

#include <stdbool.h>

bool rt_marker_in_message(const char *message, const char *marker);

#endif
