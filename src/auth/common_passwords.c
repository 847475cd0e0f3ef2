/*
 * Common passwords refused by the policy: the heads of public top lists (SplashData/NordPass yearly
 * lists, the RockYou leak, the 2011 CSDN leak and other Chinese top lists), keyboard walks and
 * their "complex-looking" variants (Aa123456789, P@ssw0rd, 1qaz@WSX). Lower-case, sorted,
 * compared case-insensitively; entries that the length rule already refuses are kept anyway.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "auth/password.h"

static const char *const common[] = {
  "!qaz1qaz", "!qaz2wsx", "!qaz@wsx", "000000", "00000000", "0000000000", "0123456789", "098765",
  "0987654321", "10203040", "1111", "111111", "11111111", "1111111111", "11112222", "111222", "112233",
  "11223344", "112358", "121212", "121314", "12301230", "123123", "1231234", "123321", "1233211234567",
  "1234", "12344321", "12345", "1234554321", "123456", "123456654321", "1234567", "12345678", "123456789",
  "1234567890", "1234567890a", "1234567891", "12345678910", "123456789a", "123456789abc", "123456789q",
  "123456a", "123456aa", "123456abc", "123456qwerty", "12345qwert", "1234abcd", "1234qwer", "1234qwerasdf",
  "123654", "123698745", "123789", "123abc", "123password", "123qwe", "123qweasd", "123qweasdzxc",
  "12qw34er", "12qwas", "12qwaszx", "131313", "131415", "1314520", "13145200", "1314521", "147147", "147258",
  "147258369", "147852369", "159357", "159753", "1597532486", "159753456", "168168", "1a2b3c4d", "1password",
  "1q2w3e", "1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y", "1q2w3e4r5t6y7u", "1qaz!qaz", "1qaz1qaz", "1qaz2wsx",
  "1qaz2wsx!", "1qaz2wsx3edc", "1qaz@wsx", "1qaz@wsx3edc", "1qazxsw2", "1qazxsw23edc", "1z2x3c4v", "2000",
  "2222222222", "258258", "2wsx#edc", "2wsx3edc", "369369", "3edc4rfv", "456789", "4567890", "518518",
  "520131", "5201314", "520520", "5211314", "521521", "555555", "584520", "5845201314", "654321", "666666",
  "66666666", "666888", "696969", "741852", "741852963", "7758258", "7758521", "777777", "7777777", "789456",
  "789456123", "852456", "888888", "88888888", "8888888888", "963852741", "987654321", "9876543210",
  "99999999", "a123456", "a1234567", "a12345678", "a123456789", "a1b2c3d4", "a1s2d3f4", "aa112233",
  "aa123456", "aa12345678", "aa123456789", "aa1234567890", "aaa123456", "aaaaaa", "ab123456", "ab12345678",
  "ab123456789", "abc#123", "abc123", "abc123!@#", "abc12345", "abc123456", "abc12345678", "abc123abc",
  "abc@123", "abc@123456", "abcabc123", "abcd1234", "abcd@1234", "abcdef", "abcdefg", "abcdefgh", "access",
  "admin", "admin#123", "admin123", "admin1234", "admin123456", "admin666", "admin888", "admin@123",
  "admin@1234", "administrator", "amanda", "andrew", "asd123", "asd123456", "asdasd", "asdf1234",
  "asdf1234!@#$", "asdfgh", "asdfghjkl", "asdfghjkl1", "asdqwe123", "ashley", "ashley1", "austin",
  "baseball", "baseball1", "batman", "batman123", "beijing", "beijing2008", "biteme", "buster", "caonima",
  "changeme", "changeme123", "changeme_123", "charlie", "charlie1", "cheese", "chelsea", "chen123456",
  "china123", "china2008", "computer", "contraseña", "dallas", "daniel", "default", "demo", "demo123",
  "dingding", "dragon", "dragon123", "flower", "football", "football1", "football123", "freedom", "george",
  "ginger", "guest", "guest123", "harley", "hello", "hello123", "hello1234", "hello@123", "helloworld",
  "hockey", "huang123", "huawei12#$", "huawei@123", "hunter", "iloveu", "iloveyou", "iloveyou1",
  "iloveyou123", "iloveyou2", "iloveyou520", "jennifer", "jessica", "jessica1", "jinan123", "jinan@123",
  "jordan", "joshua", "killer", "klaster", "letmein", "letmein123", "li123456", "linux123", "liu123456",
  "liuyang", "login", "login123", "love", "lovelove", "lovely", "loveme", "maggie", "manager", "manager123",
  "master", "master1", "master123", "matrix", "matthew", "michael", "michael1", "michelle", "minecraft",
  "monkey", "monkey123", "motdepasse", "mustang", "mypass123", "mypassword", "mysql123", "nicole", "nihao",
  "nihao123", "nineplus", "nineplus123", "office2023", "oracle", "oracle123", "p4ssw0rd", "p@ssw0rd",
  "p@ssw0rd1", "p@ssw0rd123", "p@ssword", "p@ssword1", "pa$$w0rd", "pa55w0rd", "pa55word", "parola", "pass",
  "pass1234", "pass@word1", "passw0rd", "passw0rd!", "passw0rd1", "password", "password!", "password.1",
  "password01", "password1", "password12", "password123", "password123!", "password1234", "password2023",
  "password2024", "password@123", "passwort", "pepper", "postgres", "princess", "princess1", "q123456",
  "q123456789", "q1w2e3r4", "q1w2e3r4t5", "q1w2e3r4t5y6", "qaz123456", "qazwsx", "qazwsx123", "qazwsxedc",
  "qazwsxedcrfv", "qingdao", "qingdao123", "qq123456", "qq123456789", "qqqqqq", "qwe123", "qwe123456",
  "qweasd", "qweasd123", "qweasdzxc", "qwer1234", "qwer1234asdf", "qwer@1234", "qwerasdf", "qwerasdfzxcv",
  "qwerty", "qwerty12", "qwerty123", "qwerty1234", "qwerty12345", "qwerty@123", "qwertyui", "qwertyuiop",
  "qwertyuiop1", "qwertyuiop123", "ranger", "robert", "root", "root123", "root1234", "sa123456",
  "sangfor@123", "secret", "secret123", "security", "senha", "server123", "shadow", "shadow123", "shandong",
  "shandong123", "shanghai", "soccer", "solo", "starwars", "starwars1", "summer", "sunshine", "sunshine1",
  "sunshine123", "superadmin", "superman", "superman123", "sysadmin", "system", "system123", "taylor",
  "test", "test123", "test1234", "test@123", "testtest", "thomas", "thunder", "tiantian", "tigger", "toor",
  "trustno1", "trustno11", "ubuntu", "user", "user123", "wang123456", "wangjian", "wangwang", "wangwei",
  "wangyang", "wangyu123", "welcome", "welcome1", "welcome123", "welcome@123", "whatever", "windows10",
  "windows7", "wo123456", "woaini", "woaini123", "woaini1314", "woaini1314520", "woaini520", "woaini521",
  "woainima", "woaiwojia", "woshishui", "ww123456", "xiaoming", "xiaoxiao", "yankees", "z1x2c3v4",
  "zaq!2wsx", "zaq12wsx", "zaq1@wsx", "zaq1xsw2", "zhang123", "zhanglei", "zhangwei", "zhangyu123", "zxc123",
  "zxc123456", "zxcvasdfqwer", "zxcvbn", "zxcvbnm", "zxcvbnm1", "zxcvbnm123",
};

static int cmp(const void *key, const void *elem) {
  return strcmp((const char *)key, *(const char *const *)elem);
}

bool np_password_is_common(const char *pw) {
  if (!pw) return false;
  char low[64];
  size_t n = strlen(pw);
  if (n >= sizeof low) return false; /* every entry is shorter */
  for (size_t i = 0; i <= n; i++) {
    unsigned char c = (unsigned char)pw[i];
    low[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
  }
  bool hit = bsearch(low, common, sizeof common / sizeof common[0], sizeof common[0], cmp) != NULL;
  sodium_memzero(low, sizeof low);
  return hit;
}

size_t np_password_common_count(void) { return sizeof common / sizeof common[0]; }
