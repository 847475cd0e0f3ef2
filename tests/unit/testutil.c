#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *tu_src_path(const char *rel) {
  static char buf[8][1024];
  static int slot;
  const char *root = getenv("NP_SOURCE_DIR");
  char *b = buf[slot++ & 7];
  snprintf(b, sizeof buf[0], "%s/%s", root ? root : ".", rel);
  return b;
}

const char *tu_tmpdir(void) {
  static char dir[512];
  if (dir[0]) return dir;
  const char *base = getenv("NP_TEST_TMP");
  if (!base || !*base) base = "/tmp";
  mkdir(base, 0700);
  snprintf(dir, sizeof dir, "%s/np-test-XXXXXX", base);
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    abort();
  }
  return dir;
}

const char *tu_tmp_db_url(const char *name) {
  static char url[8][640];
  static int slot;
  char *u = url[slot++ & 7];
  char path[600];
  snprintf(path, sizeof path, "%s/%s", tu_tmpdir(), name);
  unlink(path);
  char side[640];
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  snprintf(u, sizeof url[0], "sqlite:%s", path);
  return u;
}
