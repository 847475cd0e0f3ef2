/* nineplus policy bench: placeholder until the synthetic-province generator lands. */
#include "policy/bench.h"
#include <stdio.h>

int np_policy_bench_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "nineplus policy bench: not built yet\n");
  return 2;
}
