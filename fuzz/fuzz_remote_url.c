/* libFuzzer target: rt_repo_parse_remote_url (the origin remote's URL,
 * terminal use). A found repository is "owner/name": exactly one slash,
 * an owner of [A-Za-z0-9-], a name of [A-Za-z0-9._-] that is not "." or
 * "..", both copied from the URL (never invented). A refusal records an
 * RT_ERR_INPUT error that never quotes the URL (it may hold a password). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "repo.h"

#define PREFIX "the remote URL names no GitHub repository ("

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1), *repo = NULL;
	int error;

	memcpy(url, data, size);
	url[size] = '\0';
	error = rt_repo_parse_remote_url(&repo, url);
	if (error == 0) {
		const char *slash = repo ? strchr(repo, '/') : NULL;
		size_t owner, name;
		if (!slash || strchr(slash + 1, '/'))
			abort();
		owner = (size_t)(slash - repo);
		name = strlen(slash + 1);
		if (!owner || !name || strspn(repo, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != owner ||
		    strspn(slash + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._") != name ||
		    strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0)
			abort();
		/* both parts are copied from the URL */
		if (!strstr(url, slash + 1))
			abort();
		{
			char *o = strndup(repo, owner);
			if (!strstr(url, o))
				abort();
			free(o);
		}
	} else if (error != RT_ENOTFOUND || repo || !rt_error_last() || rt_error_last()->kind != RT_ERR_INPUT ||
		   strncmp(rt_error_last()->message, PREFIX, strlen(PREFIX)) != 0 ||
		   strlen(rt_error_last()->message) > 90) {
		abort(); /* one of the fixed messages: never a quote of the URL (it may hold a password) */
	}
	rt_error_clear();
	free(repo);
	free(url);
	return 0;
}
