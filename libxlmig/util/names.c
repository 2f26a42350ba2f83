/* The name checkers: see names.h. */
#include "names.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* 1..max of alnum or extra, first character not '-' (nor '.'). */
static bool plain(const char *s, size_t max, const char *extra, bool dot)
{
    size_t i, n = strlen(s);

    if (!n || n > max || s[0] == '-' || (!dot && s[0] == '.'))
        return false;
    for (i = 0; i < n; i++)
        if (!alnum(s[i]) && !strchr(extra, s[i]))
            return false;
    return true;
}

bool xlmig_name_domain_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (!n || n > XLMIG_NAME_DOMAIN_MAX || s[0] == '-')
        return false;
    /* Plain bytes compare as unsigned: 0x80.. (C1 controls) refused. */
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ||
            s[i] == '/')
            return false;
    return true;
}

bool xlmig_name_word_ok(const char *s)
{
    return plain(s, 100, "_.-", false);
}

bool xlmig_name_host_ok(const char *s, bool peer)
{
    const char *at = strchr(s, '@');
    char user[65];
    size_t ul;

    if (!s[0] || s[0] == '-' || strlen(s) > XLMIG_NAME_HOST_MAX)
        return false;
    if (at) {
        ul = (size_t)(at - s);
        if (peer || !ul || ul >= sizeof(user))
            return false;
        memcpy(user, s, ul);
        user[ul] = 0;
        if (!plain(user, sizeof(user) - 1, "_.-", true))
            return false;
        s = at + 1;
    }
    /* ':' and '%' for IPv6 addresses ("::1", "fe80::1%eth0"). */
    return plain(s, XLMIG_NAME_HOST_MAX, "_.-:%", false);
}

bool xlmig_name_resource_ok(const char *s)
{
    return plain(s, XLMIG_NAME_RES_MAX, "_.+-", false);
}

bool xlmig_name_uuid_ok(const char *s)
{
    size_t i;

    if (strlen(s) != 36)
        return false;
    for (i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];

        if (dash ? c != '-' : !((c >= '0' && c <= '9') ||
                                (c >= 'a' && c <= 'f') ||
                                (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

const char *xlmig_name_shown(const char *s, char *buf, size_t len)
{
    size_t i, o = 0;

    if (!len)
        return buf;
    for (i = 0; s[i] && i < 64; i++) {
        unsigned char c = (unsigned char)s[i];

        if (o + 5 >= len)
            break;
        if (c >= 0x20 && c <= 0x7e && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
    }
    if (s[i] && o + 4 < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = 0;
    return buf;
}

int xlmig_name_refuse(const char *what, const char *s, const char *rule)
{
    char shown[XLMIG_NAME_SHOWN_LEN];

    xlmig_err(XLMIG_E_INVAL, "%s \"%s\" is not %s", what,
              xlmig_name_shown(s, shown, sizeof(shown)), rule);
    return XLMIG_E_INVAL;
}
