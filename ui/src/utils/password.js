// Client-side mirror of the server's password policy (docs/API-ACCOUNTS.md). Only hints: the server
// decides (it also rejects common and reused passwords).

export const MIN_LENGTH = 10;

/** Number of character classes (lower, upper, digit, other) present in s. */
export function charClasses(s) {
  let n = 0;
  if (/[a-z]/.test(s)) n++;
  if (/[A-Z]/.test(s)) n++;
  if (/[0-9]/.test(s)) n++;
  if (/[^a-zA-Z0-9]/.test(s)) n++;
  return n;
}

/** Length in code points (what a person counts), not UTF-16 units. */
export function codePointLength(s) {
  return Array.from(s || '').length;
}

/** The policy checks for a candidate password: {length, classes, username} → boolean each. */
export function passwordChecks(password, username) {
  const pw = password || '';
  const user = (username || '').trim().toLowerCase();
  return {
    length: codePointLength(pw) >= MIN_LENGTH,
    classes: charClasses(pw) >= 3,
    username: pw.length > 0 && (user === '' || !pw.toLowerCase().includes(user)),
  };
}

/** True when every check passes. */
export function passwordOk(password, username) {
  const c = passwordChecks(password, username);
  return c.length && c.classes && c.username;
}
