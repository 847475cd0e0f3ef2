/* The matching benchmark driver (see bench_match.h). */
#include "match/bench_match.h"
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/date.h"
#include "match/alloc.h"
#include "core/geo.h"
#include "match/index.h"
#include "ref/ref.h"
#include "store/store.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p) {
  if (!n) return 0;
  qsort(v, n, sizeof *v, cmp_d);
  size_t i = (size_t)(p * (double)(n - 1) + 0.5);
  return v[i];
}

typedef struct allctx {
  np_match_index_t *ix;
  const int64_t *ids;
  int64_t from, to, step;
  int32_t today;
  int64_t queries, results;
  double cpu; /* the thread's CPU seconds */
} allctx_t;

static double thread_cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *all_worker(void *arg) {
  allctx_t *c = arg;
  np_match_page_t *p = malloc(sizeof *p);
  np_match_query_t q = {.scope = NP_SCOPE_RADIUS, .radius_m = 50000, .today = c->today, .limit = 10, .top_only = true};
  double t0 = thread_cpu_s();
  for (int64_t i = c->from; p && i < c->to; i += c->step) {
    if (np_match_jobs(c->ix, c->ids[i], &q, p) != NP_OK) continue;
    c->queries++;
    c->results += (int64_t)p->n;
  }
  c->cpu = thread_cpu_s() - t0;
  free(p);
  return NULL;
}

/* The candidates query in SQL: the same filters and terms, computed by SQLite. */
static const char *SQL_CAND =
    "SELECT id, MAX(score) AS s FROM (SELECT id, "
    " (CASE WHEN occ = ?1 THEN 1000 WHEN minor = ?2 THEN 700 ELSE 400 END) * ?20 / 1000"
    " + (CASE WHEN ?3 = 0 THEN (CASE WHEN skill > 0 THEN 700 ELSE 500 END)"
    "         WHEN (skill - ?3) * 100 >= 500 THEN 500 ELSE 1000 - (skill - ?3) * 100 END) * ?21 / 1000"
    " + (1000 * 20000 / (20000 + d)) * ?22 / 1000"
    " + (CASE WHEN salary = 0 OR ?4 = 0 THEN 500 WHEN salary <= ?4 THEN 1000"
    "         ELSE MAX(0, 1000 - 2000 * (salary - ?4) / ?4) END) * ?23 / 1000"
    " + ?5 * ?24 / 1000"
    " + ((1000 * 30 / (30 + ?6)) + (1000 * 30 / (30 + (?7 - created)))) / 2 * ?25 / 1000 AS score"
    " FROM (SELECT *, CAST(ROUND(2 * 6371008.8 * asin(sqrt(power(sin((lat_e6 - ?8) * 3.141592653589793 / 360e6), 2)"
    "   + ?9 * cos(lat_e6 * 3.141592653589793 / 180e6) * power(sin((lon_e6 - ?10) * 3.141592653589793 / 360e6), 2))))"
    "   AS INTEGER) AS d FROM bench_seekers"
    "  WHERE middle = ?11 AND lat_e6 BETWEEN ?12 AND ?13 AND lon_e6 BETWEEN ?14 AND ?15 AND skill >= ?3"
    "   AND birth BETWEEN ?16 AND ?17 AND avail <= ?18 AND (?26 <= 1 OR edu >= ?26))"
    " WHERE d <= ?19) GROUP BY id ORDER BY s DESC, id LIMIT 20";

/*
 * --dump DIR: the synthetic seekers exactly as they go into the SQLite table (seekers.csv, one row per
 * seeker and occupation), the sampled lines with every parameter of the SQL candidates query and the
 * engine's first result (queries.csv), and the engine's candidates p50/p99 (engine.txt), so another
 * database (bench/51-match-postgis.sh: PostgreSQL + PostGIS) can run the same query on the same data.
 */
static int dump_files(const char *dir, np_match_index_t *ix, int64_t base_id, int64_t add, const int64_t *qids,
                      int64_t nq, int64_t nsql, int32_t today, const np_match_query_t *q, np_match_page_t *p, double c50,
                      double c99) {
  char path[1024];
  int rc = 1;
  FILE *f = NULL;
  snprintf(path, sizeof path, "%s/seekers.csv", dir);
  if (!(f = fopen(path, "w"))) goto out;
  np_match_seeker_t sk;
  for (int64_t i = 0; i < add; i++) {
    if (!np_match_index_get_seeker(ix, base_id + i, &sk)) continue;
    for (int k = 0; k < sk.nocc; k++)
      fprintf(f, "%" PRId64 ",%u,%u,%u,%d,%d,%d,%d,%d,%d,%" PRId64 ",%d\n", sk.id, sk.middle[k], sk.minor[k], sk.occ[k],
              sk.lat_e6, sk.lon_e6, sk.skill, sk.birth, sk.available_from == NP_MATCH_NO_DATE ? 0 : sk.available_from,
              sk.created, sk.expected_salary, sk.edu);
  }
  if (fclose(f) != 0) { f = NULL; goto out; }
  snprintf(path, sizeof path, "%s/queries.csv", dir);
  if (!(f = fopen(path, "w"))) goto out;
  np_match_config_t cfg;
  np_match_index_config(ix, &cfg);
  fprintf(f, "line,occ,minor,skill,hi,key,age_days,today,lat_e6,lon_e6,middle,birth_lo,birth_hi,needed_by,edu,"
             "w_occ,w_skill,w_dist,w_salary,w_key,w_fresh,engine_first\n");
  for (int64_t i = 0; i < nsql; i++) {
    np_match_demand_t d;
    if (!np_match_index_get_demand(ix, qids[i % nq], &d)) continue;
    int32_t amin = d.age_min ? d.age_min : 0, amax = d.age_max ? d.age_max : 120;
    int64_t hi = d.salary_max ? d.salary_max : d.salary_min;
    np_match_query_t q1 = *q;
    q1.limit = 1;
    int64_t first = np_match_candidates(ix, d.id, &q1, p) == NP_OK && p->n ? p->hits[0].seeker.id : 0;
    fprintf(f, "%" PRId64 ",%u,%u,%d,%" PRId64 ",%d,%d,%d,%d,%d,%u,%d,%d,%d,%d", d.id, d.occ, d.minor, d.skill, hi,
            d.is_key ? 1000 : 0, today - d.created, today, d.lat_e6, d.lon_e6, d.middle, today - (amax + 1) * 365,
            today - amin * 365, d.needed_by == NP_MATCH_NO_DATE ? INT32_MAX : d.needed_by, d.edu);
    for (int t = 0; t < NP_MT__COUNT; t++) fprintf(f, ",%d", (int)cfg.weight[t]);
    fprintf(f, ",%" PRId64 "\n", first);
  }
  if (fclose(f) != 0) { f = NULL; goto out; }
  snprintf(path, sizeof path, "%s/engine.txt", dir);
  if (!(f = fopen(path, "w"))) goto out;
  fprintf(f, "%.3f %.3f\n", c50, c99);
  if (fclose(f) != 0) { f = NULL; goto out; }
  f = NULL;
  rc = 0;
out:
  if (f) fclose(f);
  if (rc) fprintf(stderr, "bench-match: cannot write %s\n", path);
  return rc;
}

int np_match_bench_main(int argc, char **argv) {
  const char *db = NULL, *sqlite_path = NULL, *dump_dir = NULL;
  int64_t want_seekers = 2000000, workers = 10000, nq = 2000, nsql = 200, all_sample = 0;
  static const struct option opts[] = {{"db", required_argument, 0, 'd'},      {"seekers", required_argument, 0, 's'},
                                       {"workers", required_argument, 0, 'w'}, {"queries", required_argument, 0, 'q'},
                                       {"sqlite", required_argument, 0, 'l'},  {"sql-queries", required_argument, 0, 'Q'}, {"all-sample", required_argument, 0, 'A'},
                                       {"dump", required_argument, 0, 'D'},
                                       {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    char *end = NULL;
    errno = 0;
    long long v = optarg ? strtoll(optarg, &end, 10) : 0;
    bool num_ok = optarg && !errno && end && !*end && v >= 0 && v <= 100000000;
    switch (c) {
    case 'd': db = optarg; break;
    case 'l': sqlite_path = optarg; break;
    case 'D': dump_dir = optarg; break;
    case 's': if (!num_ok) goto usage; want_seekers = v; break;
    case 'w': if (!num_ok) goto usage; workers = v; break;
    case 'q': if (!num_ok || v < 1) goto usage; nq = v; break;
    case 'Q': if (!num_ok) goto usage; nsql = v; break;
    case 'A': if (!num_ok) goto usage; all_sample = v; break;
    default: goto usage;
    }
  }
  if (!db) goto usage;
  np_errdetail_t err = {0};
  np_store_t *s = NULL;
  if (np_store_open(db, &s, &err) != NP_OK) {
    fprintf(stderr, "bench-match: %s\n", err.message);
    return 1;
  }
  const np_ref_t *ref = np_ref_shared(s, &err);
  np_match_index_t *ix = np_match_index_new();
  int32_t today = np_date_today().days;
  double t0 = now_s();
  if (!ref || np_match_index_load(ix, s, ref, &err) != NP_OK) {
    fprintf(stderr, "bench-match: cannot build: %s\n", err.message);
    return 1;
  }
  double t_store = now_s() - t0;
  np_match_index_stats_t st;
  np_match_index_stats(ix, &st);
  int64_t store_seekers = st.seekers_indexed;
  /* synthetic seekers near the lines, with the lines' occupations (mostly the same minor group) */
  np_match_demand_t *lines = NULL;
  size_t nl = 0;
  np_match_index_lines_in(ix, "37", &lines, &nl);
  if (!nl) {
    fprintf(stderr, "bench-match: no open lines in the database\n");
    return 1;
  }
  int64_t add = want_seekers > store_seekers ? want_seekers - store_seekers : 0;
  int64_t base_id = 100000000; /* above the store's ids */
  double t_syn = 0;
  if (add) {
    np_match_seeker_row_t *rows = calloc((size_t)add, sizeof *rows);
    char(*codes)[24] = calloc((size_t)add, 24 * NP_MATCH_MAX_OCC);
    for (int64_t i = 0; i < add; i++) {
      np_match_seeker_row_t *r = &rows[i];
      const np_match_demand_t *d = &lines[rnd() % nl];
      r->id = base_id + i;
      r->nocc = 1 + (int)(rnd() % 3);
      for (int k = 0; k < r->nocc; k++) {
        const np_match_demand_t *o = k == 0 ? d : &lines[rnd() % nl];
        snprintf(codes[i * NP_MATCH_MAX_OCC + k], 24, "%s", np_match_index_code(ix, o->occ));
        r->occupation_codes[k] = codes[i * NP_MATCH_MAX_OCC + k];
      }
      r->skill_level = (int)(rnd() % 6);
      r->edu_rank = 1 + (int)(rnd() % 6);
      r->expected_salary = rnd() % 4 ? 400000 + (int64_t)(rnd() % 12) * 50000 : 0;
      r->birth = today - (int32_t)(18 + rnd() % 40) * 365 - (int32_t)(rnd() % 365);
      r->available_from = rnd() % 3 ? today + (int32_t)(rnd() % 60) : NP_MATCH_NO_DATE;
      r->created = today - (int32_t)(rnd() % 365);
      r->county_code = np_match_index_code(ix, d->county);
      r->city_code = np_match_index_code(ix, d->city);
      r->circle = d->circle;
      r->has_loc = true;
      r->lat_e6 = d->lat_e6 + (int32_t)(rnd() % 600000) - 300000;
      r->lon_e6 = d->lon_e6 + (int32_t)(rnd() % 600000) - 300000;
      r->consent = true;
      r->status_ok = true;
    }
    double t1 = now_s();
    if (np_match_index_put_many(ix, NULL, 0, rows, (size_t)add) != NP_OK) {
      fprintf(stderr, "bench-match: out of memory\n");
      return 1;
    }
    t_syn = now_s() - t1;
    /* the SQLite copy of the same seekers */
    if (sqlite_path && nsql) {
      char url[600];
      snprintf(url, sizeof url, "sqlite:%s", sqlite_path);
      unlink(sqlite_path);
      np_store_t *q = NULL;
      if (np_store_open(url, &q, &err) == NP_OK) {
        double t2 = now_s();
        np_store_exec(q, "PRAGMA synchronous=OFF; CREATE TABLE bench_seekers (id INTEGER, middle INTEGER, minor INTEGER, "
                         "occ INTEGER, lat_e6 INTEGER, lon_e6 INTEGER, skill INTEGER, birth INTEGER, avail INTEGER, "
                         "created INTEGER, salary INTEGER, edu INTEGER)", &err);
        np_store_begin(q, &err);
        np_match_seeker_t sk;
        for (int64_t i = 0; i < add; i++) {
          np_match_index_get_seeker(ix, base_id + i, &sk);
          for (int k = 0; k < sk.nocc; k++)
            np_store_execf(q, NULL, &err, "INSERT INTO bench_seekers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiiiiiiiiiii",
                           sk.id, (int64_t)sk.middle[k], (int64_t)sk.minor[k], (int64_t)sk.occ[k], (int64_t)sk.lat_e6,
                           (int64_t)sk.lon_e6, (int64_t)sk.skill, (int64_t)sk.birth,
                           (int64_t)(sk.available_from == NP_MATCH_NO_DATE ? 0 : sk.available_from), (int64_t)sk.created,
                           sk.expected_salary, (int64_t)sk.edu);
        }
        np_store_commit(q, &err);
        np_store_exec(q, "CREATE INDEX bench_seekers_geo ON bench_seekers (middle, lat_e6, lon_e6)", &err);
        fprintf(stderr, "sqlite copy: %.1f s\n", now_s() - t2);
        np_store_close(q);
      }
    }
    free(rows);
    free(codes);
  }
  np_match_index_stats(ix, &st);
  printf("## Matching (issue 5) — engine benchmark\n\n");
  printf("Index: %" PRId64 " open demand lines (from the store), %" PRId64 " seekers (%" PRId64 " from the store, %" PRId64
         " synthetic near the lines), %" PRId64 " postings.\n\n",
         st.demands_indexed, st.seekers_indexed, store_seekers, add, st.postings);
  printf("| measure | result | target |\n|---|---|---|\n");
  printf("| index build from the store (lines%s) | %.2f s | |\n", store_seekers ? " + seekers" : "", t_store);
  printf("| index build, %" PRId64 " synthetic seekers added | %.2f s | |\n", add, t_syn);
  printf("| index build total | %.2f s | < 30 s |\n", t_store + t_syn);

  /* candidates: random lines with a location, top 20 within 50 km, explained */
  np_match_page_t *p = malloc(sizeof *p);
  double *lat = malloc((size_t)nq * sizeof *lat), *cpu = malloc((size_t)nq * sizeof *cpu);
  np_match_query_t q = {.scope = NP_SCOPE_RADIUS, .radius_m = 50000, .today = today, .limit = 20, .top_only = true};
  int64_t hits = 0, scanned = 0, evaluated = 0;
  int64_t *qids = malloc((size_t)nq * sizeof *qids);
  for (int64_t i = 0; i < nq; i++) {
    const np_match_demand_t *d = &lines[rnd() % nl];
    qids[i] = d->id;
    double a = now_s(), ac = thread_cpu_s();
    if (np_match_candidates(ix, d->id, &q, p) == NP_OK) {
      for (size_t k = 0; k < p->n; k++) json_decref(np_match_index_hit_json(ix, &q, &p->hits[k]));
      hits += (int64_t)p->n;
      scanned += p->scanned;
      evaluated += p->evaluated;
    }
    lat[i] = (now_s() - a) * 1000;
    cpu[i] = (thread_cpu_s() - ac) * 1000;
  }
  /* wall time per query, and the thread's CPU time (what a query costs when the cores are not shared) */
  double c50 = pct(lat, (size_t)nq, 0.5), c99 = pct(lat, (size_t)nq, 0.99);
  printf("| candidates for a line: top 20 within 50 km, explained (%" PRId64 " queries; avg %.0f postings read, %.0f records evaluated, %.1f results) | p50 %.3f ms, p99 %.3f ms (CPU: p50 %.3f ms, p99 %.3f ms) | p50 < 1 ms, p99 < 5 ms |\n",
         nq, (double)scanned / (double)nq, (double)evaluated / (double)nq, (double)hits / (double)nq, c50, c99,
         pct(cpu, (size_t)nq, 0.5), pct(cpu, (size_t)nq, 0.99));
  /* jobs for a seeker */
  hits = scanned = evaluated = 0;
  for (int64_t i = 0; i < nq; i++) {
    int64_t id = add ? base_id + (int64_t)(rnd() % (uint64_t)add) : 1 + (int64_t)(rnd() % 1000);
    double a = now_s(), ac = thread_cpu_s();
    if (np_match_jobs(ix, id, &q, p) == NP_OK) {
      for (size_t k = 0; k < p->n; k++) json_decref(np_match_index_hit_json(ix, &q, &p->hits[k]));
      hits += (int64_t)p->n;
      scanned += p->scanned;
      evaluated += p->evaluated;
    }
    lat[i] = (now_s() - a) * 1000;
    cpu[i] = (thread_cpu_s() - ac) * 1000;
  }
  printf("| jobs for a seeker: top 20 within 50 km, explained (avg %.0f postings read, %.0f records evaluated, %.1f results) | p50 %.3f ms, p99 %.3f ms (CPU: p50 %.3f ms, p99 %.3f ms) | p50 < 1 ms, p99 < 5 ms |\n",
         (double)scanned / (double)nq, (double)evaluated / (double)nq, (double)hits / (double)nq, pct(lat, (size_t)nq, 0.5), pct(lat, (size_t)nq, 0.99),
         pct(cpu, (size_t)nq, 0.5), pct(cpu, (size_t)nq, 0.99));
  /* top 10 for every seeker, 2 threads */
  if (add) {
    int64_t *ids = NULL;
    size_t nids = 0;
    np_match_index_seeker_ids(ix, &ids, &nids); /* grid-cell order: consecutive queries share their lines */
    /* --all-sample N: every (n/N)-th seeker, timed and scaled to all (said in the output) */
    int64_t stride = all_sample > 0 && (int64_t)nids > all_sample ? (int64_t)nids / all_sample : 1;
    int64_t half = ((int64_t)nids / 2 / stride) * stride;
    allctx_t ac[2] = {{ix, ids, 0, half, stride, today, 0, 0, 0}, {ix, ids, half, (int64_t)nids, stride, today, 0, 0, 0}};
    pthread_t th[2];
    double a = now_s();
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, all_worker, &ac[i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    double el = now_s() - a;
    int64_t nqa = ac[0].queries + ac[1].queries;
    /* CPU seconds of the two threads: what two free cores would take (wall time / 2 busy cores when
     * the machine is shared with other work) */
    double cpu_all = ac[0].cpu + ac[1].cpu, scale = (double)nids / (double)(nqa ? nqa : 1);
    if (stride > 1)
      printf("| top 10 within 50 km for all %zu seekers (2 threads, not explained): timed on every %" PRId64
             "th seeker (%" PRId64 " queries, %.1f s wall, %.1f s CPU) and scaled | %.0f s wall (%.0f s CPU / 2 = %.0f s on two free cores) | < 60 s |\n",
             nids, stride, nqa, el, cpu_all, el * scale, cpu_all * scale, cpu_all * scale / 2);
    else
      printf("| top 10 within 50 km for all %" PRId64 " seekers (2 threads, not explained) | %.1f s wall (%.1f s CPU / 2 = %.1f s on two free cores; %" PRId64
             " results) | < 60 s |\n", nqa, el, cpu_all, cpu_all / 2, ac[0].results + ac[1].results);
    free(ids);
  }
  /* a batch of workers over the province's lines */
  if (workers) {
    np_alloc_worker_t *w = calloc((size_t)workers, sizeof *w);
    for (int64_t i = 0; i < workers; i++) {
      /* realistic batches: a few occupations, villages of 5–20 people */
      const np_match_demand_t *d = &lines[(rnd() % 40) * (nl / 40)];
      w[i].s.id = i + 1;
      w[i].s.nocc = 1;
      w[i].s.occ[0] = d->occ, w[i].s.minor[0] = d->minor, w[i].s.middle[0] = d->middle;
      w[i].s.skill = (uint8_t)(rnd() % 4);
      w[i].s.birth = today - (int32_t)(20 + rnd() % 30) * 365;
      w[i].s.available_from = NP_MATCH_NO_DATE;
      w[i].s.created = today;
      w[i].s.consent = w[i].s.status_ok = true;
      w[i].group = rnd() % 3 == 0 ? (int32_t)(1 + i / 12) : 0;
    }
    np_match_rules_t rules;
    uint64_t *rel = NULL;
    np_match_index_rules_copy(ix, &rules, &rel);
    np_alloc_opts_t o = {.rules = &rules, .today = today, .pref_list_max = 200};
    np_alloc_result_t res;
    double a = now_s();
    np_match_demand_t *pl = NULL;
    size_t npl = 0;
    np_match_index_lines_in(ix, "37", &pl, &npl);
    np_err rc = np_alloc_run(&o, w, (size_t)workers, pl, npl, &res);
    double el = now_s() - a;
    if (rc == NP_OK)
      printf("| batch allocation: %" PRId64 " workers (%" PRId64 " groups) over %zu province lines | %.2f s (%" PRId64
             " assigned, %" PRId64 " blocking pairs from groups, %" PRId64 " proposals) | < 2 s |\n",
             workers, res.groups, npl, el, res.assigned, res.blocking_pairs, res.proposals);
    np_alloc_result_free(&res);
    free(pl);
    free(rel);
    free(w);
  }
  /* the same candidates query on SQLite */
  if (sqlite_path && nsql && add) {
    char url[600];
    snprintf(url, sizeof url, "sqlite:%s", sqlite_path);
    np_store_t *sq = NULL;
    if (np_store_open(url, &sq, &err) == NP_OK) {
      np_match_config_t cfg;
      np_match_index_config(ix, &cfg);
      double *sl = malloc((size_t)nsql * sizeof *sl);
      int64_t same = 0, n = 0;
      for (int64_t i = 0; i < nsql; i++) {
        np_match_demand_t d;
        np_match_index_get_demand(ix, qids[i % nq], &d);
        int r0, r1, c0, c1;
        (void)r0, (void)r1, (void)c0, (void)c1;
        double dlat = 50000 / 0.110574 + 1, dlon = 50000 / (0.111320 * np_geo_cos_lat(d.lat_e6 + (int32_t)dlat)) + 1;
        int32_t amin = d.age_min ? d.age_min : 0, amax = d.age_max ? d.age_max : 120;
        np_stmt_t *st2 = NULL;
        double a = now_s();
        if (np_store_prepare(sq, SQL_CAND, &st2, &err) != NP_OK) {
          fprintf(stderr, "sql: %s\n", err.message);
          break;
        }
        int64_t hi = d.salary_max ? d.salary_max : d.salary_min;
        np_store_bind_int64(st2, 1, d.occ);
        np_store_bind_int64(st2, 2, d.minor);
        np_store_bind_int64(st2, 3, d.skill);
        np_store_bind_int64(st2, 4, hi);
        np_store_bind_int64(st2, 5, d.is_key ? 1000 : 0);
        np_store_bind_int64(st2, 6, today - d.created);
        np_store_bind_int64(st2, 7, today);
        np_store_bind_int64(st2, 8, d.lat_e6);
        np_store_bind_double(st2, 9, d.coslat);
        np_store_bind_int64(st2, 10, d.lon_e6);
        np_store_bind_int64(st2, 11, d.middle);
        np_store_bind_int64(st2, 12, d.lat_e6 - (int64_t)dlat);
        np_store_bind_int64(st2, 13, d.lat_e6 + (int64_t)dlat);
        np_store_bind_int64(st2, 14, d.lon_e6 - (int64_t)dlon);
        np_store_bind_int64(st2, 15, d.lon_e6 + (int64_t)dlon);
        np_store_bind_int64(st2, 16, today - (amax + 1) * 365);
        np_store_bind_int64(st2, 17, today - amin * 365);
        np_store_bind_int64(st2, 18, d.needed_by == NP_MATCH_NO_DATE ? INT32_MAX : d.needed_by);
        np_store_bind_int64(st2, 19, 50000);
        for (int t = 0; t < NP_MT__COUNT; t++) np_store_bind_int64(st2, 20 + t, cfg.weight[t]);
        np_store_bind_int64(st2, 26, d.edu);
        bool row;
        int64_t k = 0, first = 0;
        while (np_store_step(st2, &row, &err) == NP_OK && row) {
          if (k++ == 0) first = np_store_col_int64(st2, 0);
        }
        np_store_release(st2);
        sl[i] = (now_s() - a) * 1000;
        /* the engine's first result, for a sanity check of "the same query" */
        np_match_query_t q1 = q;
        q1.limit = 1;
        if (np_match_candidates(ix, d.id, &q1, p) == NP_OK && p->n && k) {
          n++;
          same += p->hits[0].seeker.id == first;
        }
      }
      double s50 = pct(sl, (size_t)nsql, 0.5), s99 = pct(sl, (size_t)nsql, 0.99);
      printf("| same candidates query on SQLite (bounding box on an index (middle, lat, lon), haversine and score in SQL; %" PRId64
             " queries; first result equal to the engine's in %" PRId64 "/%" PRId64 ") | p50 %.1f ms, p99 %.1f ms | ratio p50 %.0f×, p99 %.0f× |\n",
             nsql, same, n, s50, s99, c50 > 0 ? s50 / c50 : 0, c99 > 0 ? s99 / c99 : 0);
      free(sl);
      np_store_close(sq);
    }
  }
  printf("\n");
  if (dump_dir && add && nsql && dump_files(dump_dir, ix, base_id, add, qids, nq, nsql, today, &q, p, c50, c99)) return 1;
  free(qids);
  free(lat);
  free(cpu);
  free(p);
  free(lines);
  np_match_index_free(ix);
  np_store_close(s);
  return 0;
usage:
  fprintf(stderr, "usage: nineplus bench-match --db URL [--seekers N] [--workers N] [--queries N] [--sqlite PATH] "
                  "[--sql-queries N] [--all-sample N] [--dump DIR]\n");
  return 2;
}
