/* `nineplus policy bench`: synthetic province in columns, all seven policies, explain, SQL side-by-side data. */
#ifndef NP_POLICY_BENCH_H
#define NP_POLICY_BENCH_H

/** Entry point of `nineplus policy bench` (argv[0] = "bench"); see bench/60-policy.sh. */
int np_policy_bench_main(int argc, char **argv);

/** Entry point of `nineplus policy bench-explain` (argv[0] = "bench-explain"); see bench/61-policy-explain.sh. */
int np_policy_bench_explain_main(int argc, char **argv);

/** `nineplus policy` (src/cli/cmd_policy.c). */
int np_cmd_policy(int argc, char **argv);

#endif
