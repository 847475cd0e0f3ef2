/* TOTP, base32, recovery codes and the QR code SVG (see totp.h). */
#include "auth/totp.h"
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t np_base32_encode(const uint8_t *data, size_t n, char *out, size_t cap) {
  size_t need = (n * 8 + 4) / 5;
  if (cap < need + 1) {
    if (cap > 0) out[0] = '\0';
    return need;
  }
  size_t o = 0;
  uint32_t buf = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    buf = (buf << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out[o++] = b32[(buf >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out[o++] = b32[(buf << (5 - bits)) & 31];
  out[o] = '\0';
  return need;
}

np_err np_base32_decode(const char *s, uint8_t *out, size_t cap, size_t *out_len) {
  uint32_t buf = 0;
  int bits = 0;
  size_t o = 0;
  for (; *s; s++) {
    int c = (unsigned char)*s, v;
    if (c == ' ' || c == '=' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c -= 32;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    else return NP_ERR_INVALID;
    buf = (buf << 5) | (uint32_t)v;
    bits += 5;
    if (bits >= 8) {
      if (o >= cap) return NP_ERR_TOO_LARGE;
      out[o++] = (uint8_t)(buf >> (bits - 8));
      bits -= 8;
    }
  }
  *out_len = o;
  return NP_OK;
}

uint32_t np_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits) {
  uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
  unsigned maclen = 0;
  for (int i = 7; i >= 0; i--) {
    msg[i] = (uint8_t)(counter & 0xff);
    counter >>= 8;
  }
  if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac, &maclen) || maclen < 20) return UINT32_MAX;
  int off = mac[maclen - 1] & 0x0f;
  uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                 ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
  uint32_t mod = 1;
  for (int i = 0; i < digits; i++) mod *= 10;
  OPENSSL_cleanse(mac, sizeof mac);
  return bin % mod;
}

uint32_t np_totp_at(const uint8_t *key, size_t keylen, int64_t t, int digits) {
  if (t < 0) t = 0;
  return np_hotp(key, keylen, (uint64_t)(t / NP_TOTP_STEP), digits);
}

bool np_totp_looks_like_code(const char *s) {
  if (!s || strlen(s) != NP_TOTP_DIGITS) return false;
  for (int i = 0; i < NP_TOTP_DIGITS; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool np_totp_check(const uint8_t *key, size_t keylen, const char *code, int64_t now, int64_t last_step,
                   int64_t *step_out) {
  if (!np_totp_looks_like_code(code) || now < 0) return false;
  uint32_t want = 0;
  for (int i = 0; i < NP_TOTP_DIGITS; i++) want = want * 10 + (uint32_t)(code[i] - '0');
  int64_t cur = now / NP_TOTP_STEP;
  bool ok = false;
  int64_t hit = 0;
  /* every step of the window is computed, so the time does not depend on which one matched */
  for (int64_t st = cur - NP_TOTP_WINDOW; st <= cur + NP_TOTP_WINDOW; st++) {
    if (st < 0) continue;
    uint32_t v = np_hotp(key, keylen, (uint64_t)st, NP_TOTP_DIGITS);
    if (v == want && st > last_step && !ok) {
      ok = true;
      hit = st;
    }
  }
  if (ok && step_out) *step_out = hit;
  return ok;
}

np_err np_totp_new_secret(char out[NP_TOTP_SECRET_B32]) {
  if (sodium_init() < 0) return NP_ERR_INTERNAL;
  uint8_t raw[NP_TOTP_SECRET_BYTES];
  randombytes_buf(raw, sizeof raw);
  np_base32_encode(raw, sizeof raw, out, NP_TOTP_SECRET_B32);
  sodium_memzero(raw, sizeof raw);
  return NP_OK;
}

static size_t pct_encode(const char *s, char *out, size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '.' || c == '_' || c == '~';
    if (plain) {
      if (o + 1 < cap) out[o] = (char)c;
      o++;
    } else {
      if (o + 3 < cap) {
        out[o] = '%';
        out[o + 1] = hex[c >> 4];
        out[o + 2] = hex[c & 15];
      }
      o += 3;
    }
  }
  if (cap > 0) out[o < cap ? o : cap - 1] = '\0';
  return o;
}

size_t np_totp_uri(const char *username, const char *secret_b32, char *out, size_t cap) {
  char user[3 * 64 + 1];
  size_t un = pct_encode(username ? username : "", user, sizeof user);
  if (un >= sizeof user) user[0] = '\0';
  int n = snprintf(out, cap, "otpauth://totp/nineplus:%s?secret=%s&issuer=nineplus&algorithm=SHA1&digits=%d&period=%d",
                   user, secret_b32, NP_TOTP_DIGITS, NP_TOTP_STEP);
  return n < 0 ? 0 : (size_t)n;
}

static const char rc_alpha[] = "abcdefghjkmnpqrstuvwxyz23456789"; /* no 0/o, 1/l/i */

np_err np_recovery_codes_new(char codes[NP_RECOVERY_CODES][NP_RECOVERY_CODE_LEN]) {
  if (sodium_init() < 0) return NP_ERR_INTERNAL;
  for (int k = 0; k < NP_RECOVERY_CODES; k++) {
    for (int i = 0, o = 0; i < 8; i++) {
      if (i == 4) codes[k][o++] = '-';
      codes[k][o++] = rc_alpha[randombytes_uniform((uint32_t)(sizeof rc_alpha - 1))];
    }
    codes[k][9] = '\0';
  }
  return NP_OK;
}

bool np_recovery_code_normalize(const char *in, char out[NP_RECOVERY_CODE_LEN]) {
  if (!in) return false;
  int o = 0;
  for (; *in; in++) {
    int c = (unsigned char)*in;
    if (c == ' ' || c == '-') continue;
    if (c >= 'A' && c <= 'Z') c += 32;
    if (!strchr(rc_alpha, c) || c == 0) return false;
    if (o >= 8) return false;
    if (o == 4) out[4] = '-';
    out[o < 4 ? o : o + 1] = (char)c;
    o++;
  }
  if (o != 8) return false;
  out[4] = '-';
  out[9] = '\0';
  return true;
}

char *np_totp_qr_svg(const char *text) {
  if (!text) return NULL;
  QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
  if (!qr) return NULL;
  const int quiet = 4, w = qr->width, size = w + 2 * quiet;
  np_buf_t b;
  np_buf_init(&b, 0);
  bool ok = np_buf_appendf(&b,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
                          "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
                          size, size, size, size) == NP_OK;
  for (int y = 0; ok && y < w; y++)
    for (int x = 0; ok && x < w; x++)
      if (qr->data[y * w + x] & 1) ok = np_buf_appendf(&b, "M%d %dh1v1h-1z", x + quiet, y + quiet) == NP_OK;
  if (ok) ok = np_buf_appendf(&b, "\"/></svg>") == NP_OK;
  QRcode_free(qr);
  char *out = NULL;
  if (ok) out = np_buf_steal(&b, NULL);
  np_buf_free(&b);
  return out;
}
