/* Shared helpers for the cmocka unit tests. Include after <cmocka.h>'s prerequisites. */
#ifndef NP_TESTUTIL_H
#define NP_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/** Path of a file in the source tree (NP_SOURCE_DIR), in a static buffer per call slot. */
const char *tu_src_path(const char *rel);

/** A fresh temporary directory for this test program (under NP_TEST_TMP or /tmp); created once. */
const char *tu_tmpdir(void);

/** "sqlite:<tmpdir>/<name>" after removing any old file of that name. */
const char *tu_tmp_db_url(const char *name);

#endif
