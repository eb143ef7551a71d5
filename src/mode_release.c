/*
 * mode_release: the 'release' step of the release train (SPEC.md, section release).
 *
 * Not built yet: it fails clearly instead of pretending to work.
 */
#include "error.h"
#include "modes.h"

int rt_mode_release(const rt_config *cfg)
{
	(void)cfg;
	return rt_error_set(RT_ERR_FAILED,
			    "mode 'release' is not implemented in release-train %s yet; use a later release",
			    RT_VERSION);
}
