/*
 * mode_bump: the 'bump' step of the release train (SPEC.md, section bump).
 *
 * Not built yet: it fails clearly instead of pretending to work.
 */
#include "error.h"
#include "modes.h"

int rt_mode_bump(const rt_config *cfg)
{
	(void)cfg;
	return rt_error_set(RT_ERR_FAILED,
			    "mode 'bump' is not implemented in release-train %s yet; use a later release",
			    RT_VERSION);
}
