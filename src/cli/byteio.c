/* byteio.c — buffered reading through zlib (plain and .gz alike) and date
 * normalisation shared by the record readers. */
#include "byteio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>


bool br_open(byte_reader *r, const char *path)
{
    r->gz = NULL;                 /* the buffer itself needs no clearing */
    r->pos = r->len = 0;
    r->eof = r->error = false;
    r->offset = 0;
    int fd = strcmp(path, "-") ? open(path, O_RDONLY) : dup(0);
    if (fd < 0) return false;
    r->gz = gzdopen(fd, "rb");
    if (!r->gz) {
        close(fd);
        errno = ENOMEM;
        return false;
    }
    gzbuffer(r->gz, 131072);
    return true;
}

void br_close(byte_reader *r)
{
    if (r->gz) gzclose(r->gz);
    r->gz = NULL;
}

static bool fill(byte_reader *r)
{
    if (r->eof) return false;
    int n = gzread(r->gz, r->buf, sizeof r->buf);
    if (n < 0) {
        r->error = true;
        r->eof = true;
        return false;
    }
    if (n == 0) {
        r->eof = true;
        return false;
    }
    r->pos = 0;
    r->len = (size_t)n;
    return true;
}

int br_getc(byte_reader *r)
{
    if (r->pos == r->len && !fill(r)) return -1;
    r->offset++;
    return r->buf[r->pos++];
}

int br_peek(byte_reader *r)
{
    if (r->pos == r->len && !fill(r)) return -1;
    return r->buf[r->pos];
}

bool br_line(byte_reader *r, rachis_buf *out, size_t max, bool *too_long)
{
    out->len = 0;
    *too_long = false;
    bool any = false;
    for (;;) {
        if (r->pos == r->len && !fill(r)) break;
        any = true;
        unsigned char *s = r->buf + r->pos, *nl = memchr(s, '\n', r->len - r->pos);
        size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
        if (!*too_long) {
            size_t take = out->len + n > max ? (max > out->len ? max - out->len : 0) : n;
            if (take < n) *too_long = true;
            rachis_buf_append(out, s, take);
        }
        r->pos += n + (nl ? 1 : 0);
        r->offset += (long long)(n + (nl ? 1 : 0));
        if (nl) break;
    }
    if (!any) return false;
    if (out->len && out->data[out->len - 1] == '\r') out->data[--out->len] = '\0';
    if (!out->data) rachis_buf_append(out, "", 0);
    return true;
}

bool br_all(byte_reader *r, rachis_buf *out, size_t max, bool *too_big)
{
    out->len = 0;
    *too_big = false;
    rachis_buf_append(out, "", 0);
    for (;;) {
        if (r->pos == r->len && !fill(r)) break;
        size_t n = r->len - r->pos;
        if (out->len + n > max) {
            *too_big = true;
            return true;
        }
        rachis_buf_append(out, r->buf + r->pos, n);
        r->offset += (long long)n;
        r->pos = r->len;
    }
    return !r->error;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool normalise_date(const char *s, size_t n, char out[11])
{
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    int y = -1, m = -1, d = -1;
    if (n >= 10 && (s[4] == '-' || s[4] == '/' || s[4] == '.') && s[7] == s[4]) {
        y = num(s, 4); m = num(s + 5, 2); d = num(s + 8, 2);
    } else if (n >= 8 && num(s, 8) >= 0) {
        y = num(s, 4); m = num(s + 4, 2); d = num(s + 6, 2);
    } else if (n >= 10 && (s[2] == '/' || s[2] == '-') && s[5] == s[2]) {
        m = num(s, 2); d = num(s + 3, 2); y = num(s + 6, 4);      /* US order */
    } else if (n >= 10 && s[2] == '.' && s[5] == '.') {
        d = num(s, 2); m = num(s + 3, 2); y = num(s + 6, 4);      /* European order */
    }
    if (y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return false;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
    return true;
}
