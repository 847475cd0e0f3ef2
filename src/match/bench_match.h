/* `nineplus bench-match`: the matching engine's benchmark driver (bench/50-match.sh, docs/PERFORMANCE.md). */
#ifndef NP_MATCH_BENCH_MATCH_H
#define NP_MATCH_BENCH_MATCH_H

/**
 * Builds the index from --db (demand lines and seekers there), adds --seekers N synthetic seekers
 * near the lines (when the database has fewer), then measures: build, candidates and jobs queries
 * (top 20 within 50 km, explained: p50/p99), top 10 for every seeker, a --workers N batch
 * allocation over the province's lines, and the same candidates query on SQLite. Prints Markdown.
 */
int np_match_bench_main(int argc, char **argv);

#endif
