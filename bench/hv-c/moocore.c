/* bench/hv.ts's C protocol (driver.h) for moocore's fpli_hv; built by build.sh against moocore's c/ folder. */
#include "driver.h"
#include "hv.h"

static double call(const double *data, int n, int m, const double *ref, int set) {
  (void)set;
  return fpli_hv(data, (size_t)n, (dimension_t)m, ref);
}

int main(int argc, char **argv) { return run_protocol(argc, argv, call); }
