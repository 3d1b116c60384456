/* lat.ingest._fastxapi: NDJSON lines straight to rows of lat.store.rows, for statements proven valid.
 *
 * The module parses a line into the tree of _fastxapi.h, asks xapi_fast_valid (the xAPI rules,
 * lat/ingest/_fastxapi_rules.c) whether the statement is certainly one the Python path would store,
 * and then appends exactly the values lat.store.rows.statement_values gives to the column lists of a
 * lat.store.rows.Columns. Everything that is not proven, at any step, is handed back to the Python
 * path, which stores it or rejects it with its reason: the C code never explains anything, it
 * only says yes (with a row) or "not proven".
 *
 * "Exactly the values" includes bytes: the canonical JSON written here is orjson's with
 * OPT_SORT_KEYS byte for byte (tests/test_fastpath.py checks it with hypothesis), so the raw
 * column and the derived uuid5 ids agree with lat.store.rows and lat.xapi.ids.
 *
 * Reading guide: arena, parser, canonical writer, SHA-1 and uuid5, row builder, scan, module.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dlfcn.h>
#include <locale.h>
#include <pthread.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "_fastxapi.h"

#define MAX_DEPTH 32          /* deeper documents: not proven (no xAPI statement nests so deep) */
#define MAX_INT_DIGITS 18     /* longer integers: not proven (orjson turns > 64-bit ones into floats) */
#define MAX_NUMBER_TEXT 64    /* longer number literals: not proven */
#define STATEMENT_COLUMNS 30  /* lat.store.rows.STATEMENT_COLUMNS */
#define ALL_COLUMNS 34        /* lat.store.rows.NAMES: seq, source, line, item_index, then the above */
#define PROFILE_COLUMNS 7     /* lat.xapi.fields.PROFILE_COLUMNS */

/* ------------------------------------------------------------------------------------------ */
/* Arena: the nodes and decoded text of one line, reused from line to line.                   */

typedef struct {
    jnode *nodes;
    size_t nodes_used, nodes_cap;
    char *text;
    size_t text_used, text_cap;
} arena;

/* Room for a line of `len` bytes: every value takes at least one byte of the line, so len + 2
 * nodes always suffice; decoded strings are never longer than their escaped form and a number's
 * canonical text is at most ~30 bytes, so 4 * len + 64 bytes of text are plenty (when not, the
 * line is simply not proven). The buffers only grow. */
static int arena_reset(arena *a, size_t len) {
    size_t nodes = len + 2, text = 4 * len + 64;
    if (nodes > a->nodes_cap) {
        jnode *grown = realloc(a->nodes, nodes * sizeof(jnode));
        if (!grown) return -1;
        a->nodes = grown;
        a->nodes_cap = nodes;
    }
    if (text > a->text_cap) {
        char *grown = realloc(a->text, text);
        if (!grown) return -1;
        a->text = grown;
        a->text_cap = text;
    }
    a->nodes_used = a->text_used = 0;
    return 0;
}

static jnode *arena_node(arena *a) {
    if (a->nodes_used == a->nodes_cap) return NULL;
    jnode *node = &a->nodes[a->nodes_used++];
    memset(node, 0, sizeof *node);
    return node;
}

static char *arena_text(arena *a, size_t len) {
    if (a->text_cap - a->text_used < len) return NULL;
    char *text = a->text + a->text_used;
    a->text_used += len;
    return text;
}

/* ------------------------------------------------------------------------------------------ */
/* Parser: strict RFC 8259 for one document; returns 0, or -1 for "not proven".               */

typedef struct {
    const unsigned char *p, *end;
    arena *a;
    int depth;
} parser;

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static int hex4(const unsigned char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence (2-4 bytes) starting at p, or 0: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    size_t avail = (size_t)(end - p);
    if (c >= 0xC2 && c <= 0xDF) return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0;  /* overlong */
        if (c == 0xED && p[1] >= 0xA0) return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
        if (c == 0xF4 && p[1] >= 0x90) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static char *put_utf8(char *out, unsigned cp) {
    if (cp < 0x80) {
        *out++ = (char)cp;
    } else if (cp < 0x800) {
        *out++ = (char)(0xC0 | cp >> 6);
        *out++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *out++ = (char)(0xE0 | cp >> 12);
        *out++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *out++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *out++ = (char)(0xF0 | cp >> 18);
        *out++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *out++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *out++ = (char)(0x80 | (cp & 0x3F));
    }
    return out;
}

/* Bytes of `p` up to `end` that are plain ASCII string content (0x20..0x7F but '"' and '\\'),
 * eight at a time: strings are most of a statement's bytes, so this loop is the parser's. */
static int plain(unsigned c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end) {
#ifdef __SSE2__
    /* 16 bytes at a time: a signed compare below 0x20 catches both the control characters and
     * the bytes >= 0x80 (negative as signed) */
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)p);
        __m128i special = _mm_or_si128(_mm_cmplt_epi8(x, space),
                                       _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
        int mask = _mm_movemask_epi8(special);
        if (mask) return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
    while (p < end && plain(*p)) p++;
    return p;
#else
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    for (;;) {
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            /* a high bit where a byte is < 0x20, '"', '\\' or >= 0x80; borrows between bytes can
             * flag a plain byte too (then the byte loop below looks), never miss a special one */
            uint64_t special = ((x - ones * 0x20) | ((x ^ ones * '"') - ones) | ((x ^ ones * '\\') - ones) | x) & highs;
            if (special) break;
            p += 8;
        }
        const unsigned char *stop = end - p >= 8 ? p + 8 : end;
        while (p < stop && plain(*p)) p++;
        if (p < stop || p == end) return p;
    }
#endif
}

/* The string starting at the opening quote. A string without escapes points into the line
 * itself (no copy); one with escapes is decoded into the arena. */
static int parse_string(parser *ps, const char **text, size_t *len) {
    const unsigned char *start = ++ps->p, *p = start, *end = ps->end;
    int escaped = 0;
    /* first pass: validate, find the end, note whether anything needs decoding */
    while ((p = plain_run(p, end)) < end) {
        unsigned c = *p;
        if (c == '"') break;
        if (c < 0x20) return -1;
        if (c == '\\') {
            escaped = 1;
            p += 2;  /* the escape's kind is checked while decoding; \uXXXX's digits too */
            continue;
        }
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n = utf8_sequence(p, end);
        if (!n) return -1;
        p += n;
    }
    if (p >= end) return -1;
    ps->p = p + 1;
    if (!escaped) {
        *text = (const char *)start;
        *len = (size_t)(p - start);
        return 0;
    }
    char *out = arena_text(ps->a, (size_t)(p - start)), *o = out;
    if (!out) return -1;
    for (const unsigned char *q = start; q < p;) {
        if (*q != '\\') {
            *o++ = (char)*q++;
            continue;
        }
        unsigned cp;
        switch (q[1]) {
        case '"': *o++ = '"'; q += 2; continue;
        case '\\': *o++ = '\\'; q += 2; continue;
        case '/': *o++ = '/'; q += 2; continue;
        case 'b': *o++ = '\b'; q += 2; continue;
        case 'f': *o++ = '\f'; q += 2; continue;
        case 'n': *o++ = '\n'; q += 2; continue;
        case 'r': *o++ = '\r'; q += 2; continue;
        case 't': *o++ = '\t'; q += 2; continue;
        case 'u': break;
        default: return -1;
        }
        if (p - q < 6 || hex4(q + 2, &cp)) return -1;
        q += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return -1;  /* a lone low surrogate */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low;
            if (p - q < 6 || q[0] != '\\' || q[1] != 'u' || hex4(q + 2, &low) || low < 0xDC00 || low > 0xDFFF)
                return -1;  /* a high surrogate without its low half */
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            q += 6;
        }
        o = put_utf8(o, cp);
    }
    *text = out;
    *len = (size_t)(o - out);
    return 0;
}


/* ------------------------------------------------------------------------------------------ */
/* Numbers without Python (the scan runs without the GIL): a decimal literal's double, as      */
/* Python's float() reads it (correctly rounded), and its repr, as orjson writes it.          */

static int is_digit(unsigned c) { return c >= '0' && c <= '9'; }

static locale_t c_locale;  /* the "C" locale for strtod_l (made when the module loads) */

static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A decimal literal as value = (-1)^negative * 0.DIGITS * 10^decpt, DIGITS without leading or
 * trailing zeros (n == 0: the value is zero). */
typedef struct {
    char digits[MAX_NUMBER_TEXT];
    int n, decpt, negative;
} decimal;

/* Read [-]digits[.digits][(e|E)[+-]digits] (the caller checked the grammar and the length). */
static void decimal_read(const unsigned char *p, const unsigned char *end, decimal *d) {
    int n = 0, decpt = 0, seen_point = 0, leading = 1;
    d->negative = p < end && *p == '-';
    if (d->negative) p++;
    for (; p < end && (is_digit(*p) || *p == '.'); p++) {
        if (*p == '.') {
            seen_point = 1;
            continue;
        }
        if (leading && *p == '0') {
            if (seen_point) decpt--;  /* 0.00d: the point moves right of the zeros */
            continue;
        }
        leading = 0;
        d->digits[n++] = (char)*p;
        if (!seen_point) decpt++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int sign = 1, exponent = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) sign = *p++ == '-' ? -1 : 1;
        for (; p < end; p++) exponent = exponent < 100000 ? exponent * 10 + (*p - '0') : exponent;
        decpt += sign * exponent;
    }
    while (n && d->digits[n - 1] == '0') n--;
    d->n = n;
    d->decpt = n ? decpt : 0;
}

/* The correctly rounded double of `d` (`literal`, `len` bytes, is its text): exact arithmetic
 * for up to 15 digits and a power of ten up to 1e22 (Clinger's fast path: both operands exact,
 * one rounding), glibc's correctly rounded strtod_l otherwise. */
static double decimal_value(const decimal *d, const unsigned char *literal, size_t len) {
    if (!d->n) return d->negative ? -0.0 : 0.0;
    int e10 = d->decpt - d->n;
    if (d->n <= 15 && e10 >= -22 && e10 <= 22) {
        uint64_t m = 0;
        for (int i = 0; i < d->n; i++) m = m * 10 + (uint64_t)(d->digits[i] - '0');
        double value = e10 >= 0 ? (double)m * POW10[e10] : (double)m / POW10[-e10];
        return d->negative ? -value : value;
    }
    char text[MAX_NUMBER_TEXT + 1];
    memcpy(text, literal, len);
    text[len] = '\0';
    return strtod_l(text, NULL, c_locale);
}

/* The shortest digits that read back as `value` (Python's repr), for a literal of more than
 * 15 digits: n = 1, 2, ... correctly rounded digits (snprintf is exact in glibc) until one
 * reads back. The closest n-digit decimal reads back whenever any n-digit one does, as the
 * decimals that read as `value` lie in an interval around it: symmetric but at a power of two,
 * whose first n-digit decimal reading back is its exact expansion wherever repr writes no
 * exponent (they are 2^-13 .. 2^53). Ties between two candidates need a decimal unit below one
 * ulp: no value below 1e16 has them. 0 when found. */
static int shortest_digits(double value, decimal *d) {
    if (!isnormal(value) || fabs(value) >= 1e16) return -1;  /* repr writes an exponent there anyway */
    for (int n = 1; n <= 17; n++) {
        char text[40], candidate[48];
        snprintf(text, sizeof text, "%.*e", n - 1, value);
        /* digits and exponent, whatever decimal point the C library's locale writes */
        const char *t = text;
        int k = 0;
        if (*t == '-') candidate[k++] = *t++;
        int digits = 0, e10;
        char *digit_at = candidate + k;
        for (; *t && *t != 'e'; t++)
            if (is_digit((unsigned char)*t)) digit_at[digits++] = *t;
        if (*t != 'e') return -1;
        e10 = atoi(t + 1);
        k += digits;
        k += snprintf(candidate + k, sizeof candidate - (size_t)k, "e%d", e10 - (digits - 1));
        if (strtod_l(candidate, NULL, c_locale) == value) {
            while (digits && digit_at[digits - 1] == '0') digits--;
            memcpy(d->digits, digit_at, (size_t)digits);
            d->n = digits;
            d->decpt = e10 + 1;
            return 0;
        }
    }
    return -1;
}

/* repr(value) into `out` (at least MAX_NUMBER_TEXT + 24 bytes) for the literal read as `d`;
 * its length, or 0 where repr uses an exponent (orjson writes those differently: "1e-7",
 * "1e+16") or is not proven. Up to 15 digits, repr's digits are the literal's: two decimals
 * of at most 15 digits never read as the same double (DBL_DIG), so no shorter one reads as it. */
static size_t float_repr(decimal *d, double value, char *out) {
    if (d->n > 15 && shortest_digits(value, d)) return 0;
    size_t k = 0;
    if (signbit(value)) out[k++] = '-';
    if (!d->n) {
        memcpy(out + k, "0.0", 3);
        return k + 3;
    }
    int n = d->n, decpt = d->decpt;
    if (decpt <= -4 || decpt > 16) return 0;
    if (decpt <= 0) {
        out[k++] = '0', out[k++] = '.';
        for (int i = decpt; i < 0; i++) out[k++] = '0';
        memcpy(out + k, d->digits, (size_t)n);
        return k + (size_t)n;
    }
    if (decpt >= n) {
        memcpy(out + k, d->digits, (size_t)n);
        k += (size_t)n;
        for (int i = n; i < decpt; i++) out[k++] = '0';
        memcpy(out + k, ".0", 2);
        return k + 2;
    }
    memcpy(out + k, d->digits, (size_t)decpt);
    k += (size_t)decpt;
    out[k++] = '.';
    memcpy(out + k, d->digits + decpt, (size_t)(n - decpt));
    return k + (size_t)(n - decpt);
}

/* A number. Its canonical text must be what orjson writes for the value orjson reads: an
 * integer of up to MAX_INT_DIGITS digits is written as it stands (JSON forbids leading zeros;
 * "-0" becomes 0 in orjson: not proven); a float is read correctly rounded and written as
 * Python's repr, which orjson matches wherever repr uses no exponent (checked by the tests). */
static int parse_number(parser *ps, jnode *node) {
    const unsigned char *start = ps->p, *p = start, *end = ps->end;
    int is_float = 0;
    if (p < end && *p == '-') p++;
    if (p >= end || !is_digit(*p)) return -1;
    if (*p == '0') p++;
    else while (p < end && is_digit(*p)) p++;
    size_t int_digits = (size_t)(p - start) - (*start == '-');
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p)) return -1;
        while (p < end && is_digit(*p)) p++;
        is_float = 1;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || !is_digit(*p)) return -1;
        while (p < end && is_digit(*p)) p++;
        is_float = 1;
    }
    size_t len = (size_t)(p - start);
    ps->p = p;
    if (!is_float) {
        if (int_digits > MAX_INT_DIGITS || (len == 2 && start[0] == '-' && start[1] == '0')) return -1;
        /* exact in 64 bits; the conversion to double rounds to nearest even, as Python's float(int) */
        long long value = 0;
        for (const unsigned char *d = start + (*start == '-'); d < p; d++) value = value * 10 + (*d - '0');
        node->kind = J_INT;
        node->number = (double)(*start == '-' ? -value : value);
        node->text = (const char *)start;
        node->len = len;
        return 0;
    }
    if (len >= MAX_NUMBER_TEXT) return -1;
    decimal d;
    decimal_read(start, p, &d);
    double value = decimal_value(&d, start, len);
    if (!isfinite(value)) return -1;
    char repr[MAX_NUMBER_TEXT + 24];
    size_t n = float_repr(&d, value, repr);
    char *text = n ? arena_text(ps->a, n) : NULL;
    if (!text) return -1;
    memcpy(text, repr, n);
    node->kind = J_FLOAT;
    node->number = value;
    node->text = text;
    node->len = n;
    return 0;
}
static int parse_value(parser *ps, jnode *node);

static int key_cmp(const jnode *x, const jnode *y) {
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    if (n && x->key[0] != y->key[0]) return (unsigned char)x->key[0] < (unsigned char)y->key[0] ? -1 : 1;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Merge sort of a member list by key bytes (UTF-8 byte order is code point order, which is
 * the order orjson's OPT_SORT_KEYS writes). */
static jnode *sort_members(jnode *list, size_t count) {
    if (count < 2) return list;
    size_t half = count / 2;
    jnode *mid = list;
    for (size_t i = 1; i < half; i++) mid = mid->next;
    jnode *right = mid->next;
    mid->next = NULL;
    jnode *a = sort_members(list, half), *b = sort_members(right, count - half);
    jnode head, *tail = &head;
    while (a && b) {
        if (key_cmp(a, b) <= 0) {
            tail->next = a;
            a = a->next;
        } else {
            tail->next = b;
            b = b->next;
        }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return head.next;
}

static int parse_object(parser *ps, jnode *node) {
    node->kind = J_OBJECT;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return 0;
    }
    jnode **link = &node->child;
    for (;;) {
        if (ps->p >= ps->end || *ps->p != '"') return -1;
        jnode *member = arena_node(ps->a);
        if (!member || parse_string(ps, &member->key, &member->key_len)) return -1;
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') return -1;
        ps->p++;
        skip_ws(ps);
        if (parse_value(ps, member)) return -1;
        *link = member;
        link = &member->next;
        node->count++;
        skip_ws(ps);
        if (ps->p >= ps->end) return -1;
        if (*ps->p == '}') break;
        if (*ps->p != ',') return -1;
        ps->p++;
        skip_ws(ps);
    }
    ps->p++;
    node->child = sort_members(node->child, node->count);
    for (const jnode *m = node->child; m && m->next; m = m->next)
        if (key_cmp(m, m->next) == 0) return -1;  /* duplicate keys: Python keeps the last; let it */
    return 0;
}

static int parse_array(parser *ps, jnode *node) {
    node->kind = J_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return 0;
    }
    jnode **link = &node->child;
    for (;;) {
        jnode *element = arena_node(ps->a);
        if (!element || parse_value(ps, element)) return -1;
        *link = element;
        link = &element->next;
        node->count++;
        skip_ws(ps);
        if (ps->p >= ps->end) return -1;
        if (*ps->p == ']') break;
        if (*ps->p != ',') return -1;
        ps->p++;
        skip_ws(ps);
    }
    ps->p++;
    return 0;
}

static int literal(parser *ps, const char *word, size_t len, jnode *node, jkind kind) {
    if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len)) return -1;
    ps->p += len;
    node->kind = kind;
    return 0;
}

static int parse_value(parser *ps, jnode *node) {
    if (ps->p >= ps->end) return -1;
    switch (*ps->p) {
    case '{':
    case '[': {
        if (++ps->depth > MAX_DEPTH) return -1;
        int rc = *ps->p == '{' ? parse_object(ps, node) : parse_array(ps, node);
        ps->depth--;
        return rc;
    }
    case '"':
        node->kind = J_STRING;
        return parse_string(ps, &node->text, &node->len);
    case 't': return literal(ps, "true", 4, node, J_TRUE);
    case 'f': return literal(ps, "false", 5, node, J_FALSE);
    case 'n': return literal(ps, "null", 4, node, J_NULL);
    default: return parse_number(ps, node);
    }
}

/* The tree of one JSON document (`len` bytes at `data`, JSON whitespace around it allowed),
 * or NULL when it is not proven to be one. The tree lives until the arena's next reset. */
static const jnode *parse_document(arena *a, const char *data, size_t len) {
    if (arena_reset(a, len)) return NULL;
    parser ps = {(const unsigned char *)data, (const unsigned char *)data + len, a, 0};
    jnode *root = arena_node(a);
    skip_ws(&ps);
    if (!root || parse_value(&ps, root)) return NULL;
    skip_ws(&ps);
    return ps.p == ps.end ? root : NULL;
}

/* jx_get with the key's length known (the row builder's GET takes it from a literal). */
static const jnode *get(const jnode *object, const char *key, size_t len) {
    if (!object || object->kind != J_OBJECT) return NULL;
    unsigned char first = (unsigned char)key[0];
    /* members are sorted by key bytes: skip by the first byte, stop after it */
    for (const jnode *m = object->child; m; m = m->next) {
        if (!m->key_len || !len) {
            if (m->key_len == len) return m;
            continue;
        }
        unsigned char c = (unsigned char)m->key[0];
        if (c < first) continue;
        if (c > first) return NULL;
        if (m->key_len == len && memcmp(m->key, key, len) == 0) return m;
    }
    return NULL;
}

#define GET(object, literal) get((object), literal, sizeof literal - 1)

const jnode *jx_get(const jnode *object, const char *key) { return get(object, key, strlen(key)); }

int jx_is(const jnode *node, const char *text) {
    size_t len = strlen(text);
    return node && node->kind == J_STRING && node->len == len && memcmp(node->text, text, len) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Canonical writer: orjson.dumps(value, option=OPT_SORT_KEYS), byte for byte.                */

typedef struct {
    char *data;
    size_t len, cap;
} outbuf;

static int out_reserve(outbuf *o, size_t more) {
    if (o->cap - o->len >= more) return 0;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap - o->len < more) cap *= 2;
    char *grown = realloc(o->data, cap);
    if (!grown) return -1;
    o->data = grown;
    o->cap = cap;
    return 0;
}

static int out_put(outbuf *o, const char *data, size_t len) {
    if (out_reserve(o, len)) return -1;
    memcpy(o->data + o->len, data, len);
    o->len += len;
    return 0;
}

/* orjson's escaping: \" \\ and the short forms \b \t \n \f \r; other control characters as
 * \u00xx with lower-case hex; '/', DEL and everything non-ASCII as they are. */
static int write_string(outbuf *o, const char *text, size_t len) {
    static const char hex[] = "0123456789abcdef";
    if (out_reserve(o, 6 * len + 2)) return -1;
    char *w = o->data + o->len;
    *w++ = '"';
    for (size_t i = 0; i < len; i++) {
        /* copy the run that needs no escape (non-ASCII included: the parser checked it) */
        const unsigned char *from = (const unsigned char *)text + i, *to = plain_run(from, (const unsigned char *)text + len);
        while (to < (const unsigned char *)text + len && *to >= 0x80) to = plain_run(to + 1, (const unsigned char *)text + len);
        memcpy(w, from, (size_t)(to - from));
        w += to - from;
        i += (size_t)(to - from);
        if (i == len) break;
        unsigned char c = (unsigned char)text[i];
        *w++ = '\\';
        switch (c) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '\b': *w++ = 'b'; break;
        case '\t': *w++ = 't'; break;
        case '\n': *w++ = 'n'; break;
        case '\f': *w++ = 'f'; break;
        case '\r': *w++ = 'r'; break;
        default:
            memcpy(w, "u00", 3);
            w[3] = hex[c >> 4];
            w[4] = hex[c & 15];
            w += 5;
        }
    }
    *w++ = '"';
    o->len = (size_t)(w - o->data);
    return 0;
}

/* Where the canonical texts of up to two nodes (members) begin and end in the output: the row
 * takes context.extensions and result.extensions from the statement's canonical text instead
 * of writing them twice. */
typedef struct {
    const jnode *node[2];
    size_t start[2], end[2];
    int seen[2];
    const char *from, *to;  /* the line: a string pointing into it had no escapes (see parse_string) */
} watch;

/* A string or key: one that points into the line is copied as it stands (it had no escapes, and
 * a JSON string without escapes holds nothing orjson escapes); a decoded one is escaped again. */
static int write_text(outbuf *o, const char *text, size_t len, const watch *w) {
    if (!w || text < w->from || text + len > w->to) return write_string(o, text, len);
    if (out_reserve(o, len + 2)) return -1;
    char *p = o->data + o->len;
    p[0] = '"';
    memcpy(p + 1, text, len);
    p[len + 1] = '"';
    o->len += len + 2;
    return 0;
}

static int write_value(outbuf *o, const jnode *node, watch *w);

/* An object's members, leaving out those whose key `skip` names (NULL-terminated list). */
static int write_object(outbuf *o, const jnode *node, const char *const *skip, watch *w) {
    if (out_put(o, "{", 1)) return -1;
    int first = 1;
    for (const jnode *m = node->child; m; m = m->next) {
        int skipped = 0;
        for (const char *const *s = skip; s && *s && !skipped; s++)
            skipped = strlen(*s) == m->key_len && memcmp(*s, m->key, m->key_len) == 0;
        if (skipped) continue;
        if ((!first && out_put(o, ",", 1)) || write_text(o, m->key, m->key_len, w) || out_put(o, ":", 1))
            return -1;
        int watched = w ? (m == w->node[0] ? 0 : m == w->node[1] ? 1 : -1) : -1;
        if (watched >= 0) w->start[watched] = o->len;
        if (write_value(o, m, w)) return -1;
        if (watched >= 0) w->end[watched] = o->len, w->seen[watched] = 1;
        first = 0;
    }
    return out_put(o, "}", 1);
}

static int write_value(outbuf *o, const jnode *node, watch *w) {
    switch (node->kind) {
    case J_NULL: return out_put(o, "null", 4);
    case J_FALSE: return out_put(o, "false", 5);
    case J_TRUE: return out_put(o, "true", 4);
    case J_INT:
    case J_FLOAT: return out_put(o, node->text, node->len);
    case J_STRING: return write_text(o, node->text, node->len, w);
    case J_OBJECT: return write_object(o, node, NULL, w);
    case J_ARRAY:
        if (out_put(o, "[", 1)) return -1;
        for (const jnode *e = node->child; e; e = e->next)
            if ((e != node->child && out_put(o, ",", 1)) || write_value(o, e, w)) return -1;
        return out_put(o, "]", 1);
    }
    return -1;
}


/* ------------------------------------------------------------------------------------------ */
/* Module configuration: what lat.ingest.fastpath passes in once (one source of truth: lat.xapi.ids,     */
/* lat.xapi.vocab, lat.xapi.fields), copied into C memory so that a scan reads it without the GIL.     */

typedef unsigned char *(*sha1_function)(const unsigned char *data, size_t len, unsigned char *digest);

static unsigned char *sha1_portable(const unsigned char *data, size_t len, unsigned char *digest);

static struct {
    int ready;
    unsigned char namespace_bytes[16];      /* lat.xapi.ids.NAMESPACE.bytes */
    char voided[256];                       /* vocab.VOIDED */
    size_t voided_len;
    char profile[PROFILE_COLUMNS][256];     /* the IRIs of lat.xapi.fields.PROFILE_COLUMNS, NUL-terminated */
    size_t profile_len[PROFILE_COLUMNS];
    sha1_function sha1;                     /* OpenSSL's SHA1(), else sha1_portable */
} config = {.sha1 = sha1_portable};

/* ------------------------------------------------------------------------------------------ */
/* SHA-1. OpenSSL's one-shot SHA1() (the library hashlib loaded; it uses the CPU's SHA        */
/* instructions) found with dlopen/dlsym, so no OpenSSL headers or link flags are needed; a   */
/* plain C implementation (FIPS 180-4) where that fails. Both are thread-safe.                */

static uint32_t rol(uint32_t x, int n) { return x << n | x >> (32 - n); }

static void sha1_block(uint32_t h[5], const unsigned char *p) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
        else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
        else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
        else f = b ^ c ^ d, k = 0xCA62C1D6;
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

static unsigned char *sha1_portable(const unsigned char *data, size_t len, unsigned char *digest) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t full = len / 64 * 64, rest = len - full;
    for (size_t i = 0; i < full; i += 64) sha1_block(h, data + i);
    unsigned char tail[128] = {0};
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) tail[tail_len - 1 - i] = (unsigned char)(bits >> (8 * i));
    sha1_block(h, tail);
    if (tail_len == 128) sha1_block(h, tail + 64);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++) digest[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
    return digest;
}

/* OpenSSL's SHA1_Init/Update/Final: they run the block function directly, while the one-shot
 * SHA1() of OpenSSL 3 fetches the algorithm from the provider store (a lock) on every call,
 * ~0.45 us per statement more. SHA_CTX is 96 bytes; 256 leave room. */
typedef int (*sha1_init_function)(void *ctx);
typedef int (*sha1_update_function)(void *ctx, const void *data, size_t len);
typedef int (*sha1_final_function)(unsigned char *digest, void *ctx);
static sha1_init_function ssl_init;
static sha1_update_function ssl_update;
static sha1_final_function ssl_final;

static unsigned char *sha1_openssl(const unsigned char *data, size_t len, unsigned char *digest) {
    _Alignas(16) unsigned char ctx[256];
    ssl_init(ctx);
    ssl_update(ctx, data, len);
    ssl_final(digest, ctx);
    return digest;
}

/* OpenSSL's SHA-1 from `library` (low-level functions, else the one-shot SHA1()), checked on a
 * known digest; NULL (and why, in `why`) if not. */
static sha1_function openssl_sha1(const char *library, char *why, size_t why_len, const char **which) {
    static const unsigned char abc[20] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
                                          0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d};
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);  /* kept open: the functions live in it */
    if (!handle) {
        snprintf(why, why_len, "dlopen(%s) failed: %s", library, dlerror());
        return NULL;
    }
    sha1_function sha1 = NULL;
    *(void **)&ssl_init = dlsym(handle, "SHA1_Init");
    *(void **)&ssl_update = dlsym(handle, "SHA1_Update");
    *(void **)&ssl_final = dlsym(handle, "SHA1_Final");
    if (ssl_init && ssl_update && ssl_final) {
        sha1 = sha1_openssl;
        *which = "SHA1_Init/Update/Final";
    } else {
        *(void **)&sha1 = dlsym(handle, "SHA1");
        *which = "SHA1()";
    }
    unsigned char digest[20];
    if (!sha1) snprintf(why, why_len, "%s has no SHA1", library);
    else if (sha1((const unsigned char *)"abc", 3, digest) != digest || memcmp(digest, abc, 20))
        snprintf(why, why_len, "SHA-1 of %s gave a wrong digest", library), sha1 = NULL;
    return sha1;
}

/* ------------------------------------------------------------------------------------------ */
/* Arrow columns: each column of a scan's rows grows in C buffers laid out as Arrow arrays    */
/* (validity bitmap, int32/int64 offsets + UTF-8 data, float64 values, value bits, int64)     */
/* that Python wraps without a copy (lat.ingest.fastpath.scan_table).                                */

#define NOT_PROVEN (-1)
#define FAILED (-2)    /* out of memory */

typedef enum { K_NONE, K_STR, K_LSTR, K_F64, K_BOOL, K_I64 } ckind;

/* NAMES order: seq, source, line, item_index, then lat.store.rows.STATEMENT_COLUMNS. K_NONE columns
 * are Python's: source (one value per block), item_index and void_target (all null here: no
 * items, no voiding statements), digest (lat.xapi.ids.content_digest, in Python, for own ids). */
static const ckind KINDS[ALL_COLUMNS] = {
    K_I64, K_NONE, K_I64, K_NONE,                           /* seq, source, line, item_index */
    K_STR, K_NONE, K_STR, K_STR, K_NONE,                    /* id, digest, timestamp, registration, void_target */
    K_STR, K_STR, K_STR, K_STR, K_STR, K_STR,               /* actor_key, verb, object_id, object_type, activity_type, parent_id */
    K_F64, K_F64, K_F64, K_F64, K_BOOL, K_BOOL, K_STR, K_F64,  /* scores, success, completion, response, duration_s */
    K_STR, K_STR, K_STR, K_STR, K_STR, K_STR, K_STR,        /* the profile columns */
    K_STR, K_STR, K_STR, K_LSTR,                            /* context_extensions, result_extensions, version, raw */
};

enum {
    COL_SEQ = 0, COL_LINE = 2, COL_ID = 4, COL_TIMESTAMP = 6, COL_REGISTRATION = 7, COL_ACTOR = 9, COL_VERB = 10,
    COL_OBJECT_ID = 11, COL_OBJECT_TYPE = 12, COL_ACTIVITY_TYPE = 13, COL_PARENT = 14, COL_SCORE = 15,
    COL_SUCCESS = 19, COL_COMPLETION = 20, COL_RESPONSE = 21, COL_DURATION = 22, COL_PROFILE = 23, COL_CEXT = 30,
    COL_REXT = 31, COL_VERSION = 32, COL_RAW = 33,
};

typedef struct {
    outbuf valid;    /* K_STR, K_LSTR, K_F64, K_BOOL: bit i set when row i has a value */
    outbuf offsets;  /* K_STR: int32, K_LSTR: int64; rows + 1 of them */
    outbuf data;     /* string bytes, float64 or int64 values, value bits */
} column;

typedef struct {
    column col[ALL_COLUMNS];
    size_t rows;  /* complete rows; a row being written goes to index `rows` */
} table;

/* Freed column buffers kept for the next scans: a fresh buffer costs a page fault per 4 KB the
 * first time it is written (~0.5 us a statement: the raw column alone is ~170 MB a batch);
 * a kept one is written again without any. Only big ones, and at most POOL_BYTES in all (they
 * stay in the process's memory). An ingest has two batches in flight, ~80 big buffers each:
 * with 64 slots the pool overflowed and freed most of them (then 10% of the ingest's CPU went
 * to zeroing fresh huge pages). Thread-safe: scans and Arrow's releases run in any thread. */
#define POOL_SLOTS 256
#define POOL_MIN ((size_t)1 << 20)
#define POOL_BYTES ((size_t)512 << 20)

static struct {
    pthread_mutex_t lock;
    char *data[POOL_SLOTS];
    size_t cap[POOL_SLOTS];
    int count;
    size_t bytes;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* A kept buffer of at least `want` bytes (and not far more), or NULL. */
static char *pool_take(size_t want, size_t *cap) {
    char *data = NULL;
    pthread_mutex_lock(&pool.lock);
    int best = -1;
    for (int i = 0; i < pool.count; i++)
        if (pool.cap[i] >= want && pool.cap[i] / 4 <= want && (best < 0 || pool.cap[i] < pool.cap[best])) best = i;
    if (best >= 0) {
        data = pool.data[best], *cap = pool.cap[best];
        pool.bytes -= *cap, pool.count--;
        pool.data[best] = pool.data[pool.count], pool.cap[best] = pool.cap[pool.count];
    }
    pthread_mutex_unlock(&pool.lock);
    return data;
}

/* Frees a buffer, or keeps it for pool_take. */
static void pool_give(char *data, size_t cap) {
    if (data && cap >= POOL_MIN) {
        pthread_mutex_lock(&pool.lock);
        if (pool.count < POOL_SLOTS && pool.bytes + cap <= POOL_BYTES) {
            pool.data[pool.count] = data, pool.cap[pool.count] = cap;
            pool.count++, pool.bytes += cap;
            data = NULL;
        }
        pthread_mutex_unlock(&pool.lock);
    }
    free(data);
}

static void table_free(table *t) {
    for (int i = 0; i < ALL_COLUMNS; i++) {
        pool_give(t->col[i].valid.data, t->col[i].valid.cap);
        pool_give(t->col[i].offsets.data, t->col[i].offsets.cap);
        pool_give(t->col[i].data.data, t->col[i].data.cap);
    }
}

/* Room for `bytes` in an empty buffer: a kept one, else a fresh one that asks for transparent
 * huge pages (one page fault per 2 MB instead of per 4 KB). */
static int reserve_big(outbuf *o, size_t bytes) {
    if (bytes >= POOL_MIN && (o->data = pool_take(bytes, &o->cap))) return 0;
    if (out_reserve(o, bytes)) return -1;
#ifdef MADV_HUGEPAGE
    if (bytes >= (4u << 20)) {
        uintptr_t from = ((uintptr_t)o->data + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1);
        uintptr_t to = ((uintptr_t)o->data + o->cap) & ~(uintptr_t)((2u << 20) - 1);
        if (to > from) madvise((void *)from, to - from, MADV_HUGEPAGE);  /* a hint: failure is harmless */
    }
#endif
    return 0;
}

/* Bytes per row of each string column in the last block scanned (any thread: a hint, so
 * relaxed atomics): the next block reserves that much at once instead of growing from a
 * guess by doubling (each step a copy, and fresh memory to fault in). */
static size_t row_bytes[ALL_COLUMNS];

static size_t string_row_bytes(int column) {
    size_t seen = __atomic_load_n(&row_bytes[column], __ATOMIC_RELAXED);
    return seen > 16 ? seen + seen / 8 : 16;
}

static void learn_row_bytes(const table *t) {
    if (!t->rows) return;
    for (int i = 0; i < ALL_COLUMNS; i++)
        if (KINDS[i] == K_STR) __atomic_store_n(&row_bytes[i], t->col[i].data.len / t->rows + 1, __ATOMIC_RELAXED);
}

/* Bytes per offset of a string column: int32 (Arrow string), int64 (large_string: raw). */
static size_t offset_width(int kind) { return kind == K_LSTR ? 8 : 4; }

/* Where row `row` of a string column starts in its data (its offset). */
static size_t string_start(const column *c, int kind, size_t row) {
    if (kind == K_LSTR) {
        int64_t at;
        memcpy(&at, c->offsets.data + 8 * row, 8);
        return (size_t)at;
    }
    int32_t at;
    memcpy(&at, c->offsets.data + 4 * row, 4);
    return (size_t)at;
}

/* Room for `lines` rows (fixed-width columns never grow again) and `text` bytes of raw. */
static int table_init(table *t, size_t lines, size_t text) {
    memset(t, 0, sizeof *t);
    for (int i = 0; i < ALL_COLUMNS; i++) {
        column *c = &t->col[i];
        size_t width = offset_width(KINDS[i]);
        switch (KINDS[i]) {
        case K_NONE: continue;
        case K_I64:
        case K_F64:
            if (reserve_big(&c->data, 8 * lines + 8)) return -1;
            break;
        case K_BOOL:
            if (out_reserve(&c->data, lines / 8 + 8)) return -1;
            break;
        case K_STR:
        case K_LSTR:
            if (reserve_big(&c->offsets, width * (lines + 1)) ||
                reserve_big(&c->data, KINDS[i] == K_LSTR ? text : 64 + lines * string_row_bytes(i)))
                return -1;
            memset(c->offsets.data, 0, width);  /* the first offset */
            c->offsets.len = width;
            break;
        }
        if (KINDS[i] != K_I64 && out_reserve(&c->valid, lines / 8 + 8)) return -1;
    }
    return 0;
}

static inline int bit_put(outbuf *b, size_t i, int on) {
    size_t need = i / 8 + 1;
    if (__builtin_expect(b->len < need, 0)) {
        if (out_reserve(b, need - b->len)) return FAILED;
        memset(b->data + b->len, 0, need - b->len);
        b->len = need;
    }
    unsigned char mask = (unsigned char)(1u << (i % 8));
    if (on) b->data[i / 8] |= (char)mask;
    else b->data[i / 8] &= (char)~mask;
    return 0;
}

/* Ends the string value of row `row` that the caller appended to c->data (or none: null). */
static int str_close(table *t, int index, int valid) {
    column *c = &t->col[index];
    size_t row = t->rows;
    if (KINDS[index] == K_STR) {
        if (c->data.len > INT32_MAX) return NOT_PROVEN;  /* the block is too big for int32 offsets */
        int32_t offset = (int32_t)c->data.len;
        if (out_reserve(&c->offsets, 4)) return FAILED;
        memcpy(c->offsets.data + 4 * (row + 1), &offset, 4);
        c->offsets.len = 4 * (row + 2);
    } else {
        int64_t offset = (int64_t)c->data.len;
        if (out_reserve(&c->offsets, 8)) return FAILED;
        memcpy(c->offsets.data + 8 * (row + 1), &offset, 8);
        c->offsets.len = 8 * (row + 2);
    }
    return bit_put(&c->valid, row, valid);
}

static int str_put(table *t, int index, const char *text, size_t len) {
    return out_put(&t->col[index].data, text, len) ? FAILED : str_close(t, index, 1);
}

static int str_null(table *t, int index) { return str_close(t, index, 0); }

static int f64_put(table *t, int index, double value, int valid) {
    column *c = &t->col[index];
    if (out_reserve(&c->data, 8)) return FAILED;
    memcpy(c->data.data + 8 * t->rows, &value, 8);
    c->data.len = 8 * (t->rows + 1);
    return bit_put(&c->valid, t->rows, valid);
}

static int i64_put(table *t, int index, int64_t value) {
    column *c = &t->col[index];
    if (out_reserve(&c->data, 8)) return FAILED;
    memcpy(c->data.data + 8 * t->rows, &value, 8);
    c->data.len = 8 * (t->rows + 1);
    return 0;
}

static int bool_put(table *t, int index, int value, int valid) {
    column *c = &t->col[index];
    return bit_put(&c->data, t->rows, value && valid) || bit_put(&c->valid, t->rows, valid) ? FAILED : 0;
}

/* Forget what a row that turned out not proven wrote (every put writes at index t->rows, so
 * only the string data needs cutting back; stale bits are overwritten by the next row). */
static void table_rollback(table *t) {
    for (int i = 0; i < ALL_COLUMNS; i++) {
        column *c = &t->col[i];
        switch (KINDS[i]) {
        case K_STR:
        case K_LSTR:
            c->data.len = string_start(c, KINDS[i], t->rows);
            c->offsets.len = offset_width(KINDS[i]) * (t->rows + 1);
            break;
        case K_F64:
        case K_I64: c->data.len = 8 * t->rows; break;
        default: break;
        }
    }
}

/* What one call works in, allocated per call so that no two threads share buffers. */
typedef struct {
    arena nodes;
    outbuf canon;        /* lat.xapi.ids.NAMESPACE (16 bytes), then the statement's canonical JSON */
    outbuf side;         /* short-lived texts: a profile value's canonical JSON */
    outbuf stored_json;  /* the batch's stored value as a JSON string, for raw's head */
    const char *stored;  /* the batch's stored value (UTF-8) */
    size_t stored_len;
    watch spans;         /* where context.extensions and result.extensions are in canon */
} workspace;

static void workspace_free(workspace *ws) {
    free(ws->nodes.nodes);
    free(ws->nodes.text);
    free(ws->canon.data);
    free(ws->side.data);
    free(ws->stored_json.data);
}

/* ------------------------------------------------------------------------------------------ */
/* Row builder: lat.store.rows.statement_values in C, straight into the columns. Every helper       */
/* returns 0, NOT_PROVEN, or FAILED (out of memory); nothing here touches a Python object.    */

/* A node that Python reads with `x or {}`: an object, or absent/null (NULL here). Anything
 * else is not proven (Python would take other falsy values as {} and fail on truthy ones). */
static int object_or_none(const jnode *node, const jnode **out) {
    if (!node || node->kind == J_NULL) {
        *out = NULL;
        return 0;
    }
    if (node->kind != J_OBJECT) return NOT_PROVEN;
    *out = node->count ? node : NULL;
    return 0;
}

/* A str column from `node`: absent or null -> null, a string -> its text, else not proven. */
static int text_column(table *t, int index, const jnode *node) {
    if (!node || node->kind == J_NULL) return str_null(t, index);
    if (node->kind != J_STRING) return NOT_PROVEN;
    return str_put(t, index, node->text, node->len);
}

/* lat.store.rows._number: absent or null -> null, a number -> float, else not proven (bools!). */
static int number_column(table *t, int index, const jnode *node) {
    if (!node || node->kind == J_NULL) return f64_put(t, index, 0.0, 0);
    if (node->kind != J_INT && node->kind != J_FLOAT) return NOT_PROVEN;
    return f64_put(t, index, node->number, 1);
}

static int bool_column(table *t, int index, const jnode *node) {
    if (!node || node->kind == J_NULL) return bool_put(t, index, 0, 0);
    if (node->kind != J_TRUE && node->kind != J_FALSE) return NOT_PROVEN;
    return bool_put(t, index, node->kind == J_TRUE, 1);
}

/* `prefix` + the ASCII lower-case of a string (str.lower() of non-ASCII: left to Python). */
static int ascii_lower(table *t, int index, const char *prefix, const jnode *node) {
    size_t plen = strlen(prefix);
    outbuf *o = &t->col[index].data;
    if (out_reserve(o, plen + node->len)) return FAILED;
    char *w = o->data + o->len;
    memcpy(w, prefix, plen);
    for (size_t i = 0; i < node->len; i++) {
        unsigned char c = (unsigned char)node->text[i];
        if (c >= 0x80) return NOT_PROVEN;
        w[plen + i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    o->len += plen + node->len;
    return str_close(t, index, 1);
}

/* An inverse functional identifier the way `if x := agent.get(k)` reads it: 1 when it is a
 * non-empty string, 0 when absent/null/"" (Python goes on to the next), else not proven. */
static int ifi(const jnode *agent, const char *key, const jnode **out) {
    const jnode *node = get(agent, key, strlen(key));
    *out = node;
    if (!node || node->kind == J_NULL || (node->kind == J_STRING && node->len == 0)) return 0;
    return node->kind == J_STRING ? 1 : NOT_PROVEN;
}

/* lat.xapi.fields.actor_key for an agent; groups without an identifier are not proven. */
static int actor_key_column(table *t, const jnode *agent) {
    const jnode *node;
    int rc;
    if (!agent || agent->kind != J_OBJECT) return NOT_PROVEN;
    if (!agent->count) return str_null(t, COL_ACTOR);
    if ((rc = ifi(agent, "mbox", &node))) return rc < 0 ? rc : ascii_lower(t, COL_ACTOR, "", node);
    if ((rc = ifi(agent, "mbox_sha1sum", &node))) return rc < 0 ? rc : ascii_lower(t, COL_ACTOR, "sha1:", node);
    if ((rc = ifi(agent, "openid", &node))) return rc < 0 ? rc : str_put(t, COL_ACTOR, node->text, node->len);
    const jnode *account = GET(agent, "account");
    if (account && account->kind == J_OBJECT && account->count) {
        const jnode *home = GET(account, "homePage"), *name = GET(account, "name");
        if ((home && home->kind != J_STRING) || (name && name->kind != J_STRING)) return NOT_PROVEN;
        outbuf *o = &t->col[COL_ACTOR].data;
        if ((home && out_put(o, home->text, home->len)) || out_put(o, "|", 1) ||
            (name && out_put(o, name->text, name->len)))
            return FAILED;
        return str_close(t, COL_ACTOR, 1);
    }
    if (account && !(account->kind == J_NULL || account->kind == J_OBJECT)) return NOT_PROVEN;
    const jnode *members = GET(agent, "member");
    if (members && !(members->kind == J_NULL || (members->kind == J_ARRAY && members->count == 0)))
        return NOT_PROVEN;  /* a group's key hashes its members' keys: Python does it */
    return str_null(t, COL_ACTOR);
}

/* lat.xapi.fields.duration_seconds: the regex's grammar (P[nY][nM][nW][nD][T[nH][nM][nS]]),
 * the same float arithmetic in the same order. Not proven: no match (Python's \d and $
 * match more than ASCII digits and the end), no component (sum() of nothing is int 0), and,
 * from Python 3.12 (compensated float sum()), more than one component. */
static int duration_column(table *t, const jnode *node) {
    static const char date_units[] = "YMWD", time_units[] = "HMS";
    static const double date_seconds[] = {365.25 * 86400, 30.4375 * 86400, 7 * 86400, 86400};
    static const double time_seconds[] = {3600, 60, 1};
    if (!node || node->kind == J_NULL) return f64_put(t, COL_DURATION, 0.0, 0);
    if (node->kind != J_STRING) return NOT_PROVEN;
    if (node->len == 0) return f64_put(t, COL_DURATION, 0.0, 0);
    const char *p = node->text, *end = p + node->len;
    if (*p++ != 'P') return NOT_PROVEN;
    double total = 0.0;
    int components = 0, in_time = 0;
    size_t next = 0;  /* the first unit still allowed in the current part */
    while (p < end) {
        if (*p == 'T') {
            if (in_time) return NOT_PROVEN;
            in_time = 1, next = 0, p++;
            continue;
        }
        const char *start = p;
        while (p < end && is_digit((unsigned char)*p)) p++;
        if (p == start) return NOT_PROVEN;
        if (p < end && *p == '.') {
            p++;
            if (p >= end || !is_digit((unsigned char)*p)) return NOT_PROVEN;
            while (p < end && is_digit((unsigned char)*p)) p++;
        }
        if (p >= end || p - start >= MAX_NUMBER_TEXT) return NOT_PROVEN;
        const char *units = in_time ? time_units : date_units;
        const double *seconds = in_time ? time_seconds : date_seconds;
        const char *unit = strchr(units + next, *p);
        if (!unit || !*p) return NOT_PROVEN;
        decimal d;
        decimal_read((const unsigned char *)start, (const unsigned char *)p, &d);
        double value = decimal_value(&d, (const unsigned char *)start, (size_t)(p - start));
        size_t index = (size_t)(unit - units);
        total += value * seconds[index];
        next = index + 1;
        components++;
        p++;
    }
    if (components == 0) return NOT_PROVEN;
#if PY_VERSION_HEX >= 0x030C0000
    if (components > 1) return NOT_PROVEN;
#endif
    return f64_put(t, COL_DURATION, total, 1);
}

/* lat.store.rows._first_parent. */
static int parent_column(table *t, const jnode *context) {
    const jnode *activities, *parent = NULL;
    if (context) {
        if (object_or_none(GET(context, "contextActivities"), &activities)) return NOT_PROVEN;
        parent = activities ? GET(activities, "parent") : NULL;
    }
    if (!parent || parent->kind == J_NULL || (parent->kind == J_ARRAY && parent->count == 0))
        return str_null(t, COL_PARENT);
    if (parent->kind == J_ARRAY) parent = parent->child;
    if (parent->kind != J_OBJECT) return NOT_PROVEN;
    return text_column(t, COL_PARENT, GET(parent, "id"));
}

/* lat.store.rows.json_text of a profile extension's value. */
static int profile_column(workspace *ws, table *t, int index, const jnode *value) {
    if (!value || value->kind == J_NULL) return str_null(t, index);
    if (value->kind == J_STRING) return str_put(t, index, value->text, value->len);
    ws->side.len = 0;
    if (write_value(&ws->side, value, NULL)) return FAILED;
    return str_put(t, index, ws->side.data, ws->side.len);
}

/* An extensions object's canonical text, from its span in the statement's canonical text. */
static int extensions_column(workspace *ws, table *t, int index, int which) {
    if (!ws->spans.node[which]) return str_null(t, index);
    if (!ws->spans.seen[which]) return NOT_PROVEN;  /* (cannot happen: every member but the head's is written) */
    return str_put(t, index, ws->canon.data + ws->spans.start[which], ws->spans.end[which] - ws->spans.start[which]);
}

#define NS 16  /* ws->canon starts with lat.xapi.ids.NAMESPACE's 16 bytes: the uuid5 input in one piece */

/* The statement's identity: its canonical JSON without id, stored, authority and version (into
 * ws->canon after the namespace) and, when `derive`, the uuid5 over both, as 36 characters at `id`. */
static int identity(workspace *ws, const jnode *stmt, int derive, char id[36]) {
    static const char *const not_identity[] = {"id", "stored", "authority", "version", NULL};
    ws->canon.len = 0;
    ws->spans.seen[0] = ws->spans.seen[1] = 0;
    if (out_put(&ws->canon, (const char *)config.namespace_bytes, NS) ||
        write_object(&ws->canon, stmt, not_identity, &ws->spans))
        return FAILED;
    if (ws->canon.len < NS + 3) return NOT_PROVEN;  /* "{}": no statement */
    if (!derive) return 0;
    unsigned char bytes[20];
    config.sha1((const unsigned char *)ws->canon.data, ws->canon.len, bytes);
    bytes[6] = (unsigned char)((bytes[6] & 0x0F) | 0x50);  /* version 5 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3F) | 0x80);  /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    char *w = id;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *w++ = '-';
        *w++ = hex[bytes[i] >> 4];
        *w++ = hex[bytes[i] & 15];
    }
    return 0;
}

/* lat.store.rows._raw: {"id":..,"stored":..,["timestamp":..,]"version":.., then the canonical JSON
 * after its "{", written straight into the raw column. */
static int raw_column(workspace *ws, table *t, const char *id, size_t id_len, int add_timestamp,
                      const jnode *version) {
    outbuf *o = &t->col[COL_RAW].data;
    size_t body = ws->canon.len - NS - 1;
    if (out_put(o, "{\"id\":", 6) || write_string(o, id, id_len) || out_put(o, ",\"stored\":", 10) ||
        out_put(o, ws->stored_json.data, ws->stored_json.len))
        return FAILED;
    if (add_timestamp && (out_put(o, ",\"timestamp\":", 13) || out_put(o, ws->stored_json.data, ws->stored_json.len)))
        return FAILED;
    if (out_put(o, ",\"version\":", 11)) return FAILED;
    if (version ? write_string(o, version->text, version->len) : out_put(o, "\"1.0.0\"", 7)) return FAILED;
    if (out_put(o, ",", 1) || out_put(o, ws->canon.data + NS + 1, body)) return FAILED;
    return str_close(t, COL_RAW, 1);
}

/* The STATEMENT_COLUMNS of `stmt` as row t->rows (without seq and line); *own_id is set when
 * the statement has its own id (the caller records it: Python sets its digest). On anything
 * but 0 the caller rolls the row back. */
static int statement_row(workspace *ws, table *t, const jnode *stmt, int *own_id) {
    const jnode *context, *cext, *result, *rext, *score, *definition, *node;
    char id[36];
    int rc;
    if (stmt->kind != J_OBJECT) return NOT_PROVEN;
    /* A statement with an authority keeps it in raw's head in its input order, which the sorted
     * tree has lost: Python does those. */
    const jnode *own = GET(stmt, "id");
    if ((own && own->kind != J_STRING) || GET(stmt, "authority")) return NOT_PROVEN;
    const jnode *version = GET(stmt, "version"), *timestamp = GET(stmt, "timestamp");
    const jnode *verb = GET(stmt, "verb"), *obj = GET(stmt, "object");
    if (version && version->kind != J_STRING) return NOT_PROVEN;
    if (!verb || verb->kind != J_OBJECT || !obj || obj->kind != J_OBJECT) return NOT_PROVEN;
    const jnode *verb_id = GET(verb, "id");
    if (!verb_id || verb_id->kind != J_STRING) return NOT_PROVEN;
    if (verb_id->len == config.voided_len && memcmp(verb_id->text, config.voided, verb_id->len) == 0)
        return NOT_PROVEN;  /* a voiding statement: Python */
    if (object_or_none(GET(stmt, "context"), &context) || object_or_none(GET(stmt, "result"), &result) ||
        object_or_none(GET(obj, "definition"), &definition))
        return NOT_PROVEN;
    cext = score = rext = NULL;
    if ((context && object_or_none(GET(context, "extensions"), &cext)) ||
        (result && object_or_none(GET(result, "score"), &score)) ||
        (result && object_or_none(GET(result, "extensions"), &rext)))
        return NOT_PROVEN;
    ws->spans.node[0] = cext, ws->spans.node[1] = rext;
    if ((rc = identity(ws, stmt, !own, id))) return rc;
    *own_id = own != NULL;
    const char *sid = own ? own->text : id;
    size_t sid_len = own ? own->len : 36;

    if ((rc = str_put(t, COL_ID, sid, sid_len))) return rc;
    if ((rc = timestamp ? text_column(t, COL_TIMESTAMP, timestamp) : str_put(t, COL_TIMESTAMP, ws->stored, ws->stored_len)) ||
        (rc = text_column(t, COL_REGISTRATION, context ? GET(context, "registration") : NULL)) ||
        (rc = actor_key_column(t, GET(stmt, "actor"))) || (rc = text_column(t, COL_VERB, verb_id)) ||
        (rc = text_column(t, COL_OBJECT_ID, GET(obj, "id"))))
        return rc;
    node = GET(obj, "objectType");
    if ((rc = node ? text_column(t, COL_OBJECT_TYPE, node) : str_put(t, COL_OBJECT_TYPE, "Activity", 8)) ||
        (rc = text_column(t, COL_ACTIVITY_TYPE, definition ? GET(definition, "type") : NULL)) ||
        (rc = parent_column(t, context)))
        return rc;
    static const char *const score_keys[] = {"raw", "scaled", "min", "max"};
    for (int i = 0; i < 4; i++)
        if ((rc = number_column(t, COL_SCORE + i, score ? jx_get(score, score_keys[i]) : NULL))) return rc;
    if ((rc = bool_column(t, COL_SUCCESS, result ? GET(result, "success") : NULL)) ||
        (rc = bool_column(t, COL_COMPLETION, result ? GET(result, "completion") : NULL)) ||
        (rc = text_column(t, COL_RESPONSE, result ? GET(result, "response") : NULL)) ||
        (rc = duration_column(t, result ? GET(result, "duration") : NULL)))
        return rc;
    for (int i = 0; i < PROFILE_COLUMNS; i++)
        if ((rc = profile_column(ws, t, COL_PROFILE + i, cext ? get(cext, config.profile[i], config.profile_len[i]) : NULL))) return rc;
    if ((rc = extensions_column(ws, t, COL_CEXT, 0)) || (rc = extensions_column(ws, t, COL_REXT, 1))) return rc;
    if ((rc = version ? text_column(t, COL_VERSION, version) : str_put(t, COL_VERSION, "1.0.0", 5))) return rc;
    return raw_column(ws, t, sid, sid_len, !timestamp, version);
}

/* ------------------------------------------------------------------------------------------ */
/* Scan: the records of an NDJSON block, without the GIL.                                     */

typedef struct {
    int64_t seq, line;
    size_t offset, len;
} pending_record;  /* a record left to Python: (seq, line, where its text is in the block) */

typedef struct {
    size_t row, offset, len;
} own_id_row;  /* a row of a statement with its own id: Python sets its digest from the text */

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* The records of `data` as lat.ingest.readers.LineBlock.numbered() walks them (split on \n, then
 * bytes.strip(): blank lines count as lines but are no records): a row of `t` for each one
 * proven (xapi_fast_valid, unless `rules` is 0: tests only), a pending_record for the others.
 * Touches no Python object: it runs without the GIL. 0, or FAILED (out of memory). */
static int scan_block(workspace *ws, table *t, const char *data, size_t size, int64_t line, int64_t seq, int rules,
                      outbuf *pending, outbuf *own_ids, int64_t *records) {
    const char *p = data, *end = data + size;
    *records = 0;
    for (;;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *a = p, *b = eol ? eol : end;
        while (a < b && is_ws((unsigned char)*a)) a++;
        while (b > a && is_ws((unsigned char)b[-1])) b--;
        if (a < b) {
            size_t len = (size_t)(b - a), offset = (size_t)(a - data);
            const jnode *root = parse_document(&ws->nodes, a, len);
            int rc = NOT_PROVEN, own = 0;
            ws->spans.from = a, ws->spans.to = b;
            if (root && (!rules || xapi_fast_valid(root))) rc = statement_row(ws, t, root, &own);
            if (rc == 0 && (i64_put(t, COL_SEQ, seq) || i64_put(t, COL_LINE, line))) rc = FAILED;
            if (rc == 0 && own) {
                own_id_row r = {t->rows, offset, len};
                if (out_put(own_ids, (const char *)&r, sizeof r)) rc = FAILED;
            }
            if (rc == 0) {
                t->rows++;
            } else {
                table_rollback(t);
                pending_record r = {seq, line, offset, len};
                if (rc == FAILED || out_put(pending, (const char *)&r, sizeof r)) return FAILED;
            }
            seq++, (*records)++;
        }
        if (!eol) return 0;
        p = eol + 1, line++;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Buffer: C memory handed to Python (and pyarrow, through the buffer protocol) without a     */
/* copy; freed when the last Arrow array using it goes.                                       */

typedef struct {
    PyObject_HEAD
    char *data;
    Py_ssize_t len;
    size_t cap;
} Buffer;

static int buffer_get(PyObject *self, Py_buffer *view, int flags) {
    Buffer *b = (Buffer *)self;
    return PyBuffer_FillInfo(view, self, b->data, b->len, 1, flags);
}

static void buffer_dealloc(PyObject *self) {
    pool_give(((Buffer *)self)->data, ((Buffer *)self)->cap);
    Py_TYPE(self)->tp_free(self);
}

static PyBufferProcs buffer_procs = {buffer_get, NULL};

static PyTypeObject BufferType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "lat.ingest._fastxapi.Buffer",
    .tp_basicsize = sizeof(Buffer),
    .tp_dealloc = buffer_dealloc,
    .tp_as_buffer = &buffer_procs,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Bytes of an Arrow buffer written by lat.ingest._fastxapi.scan_table (read-only buffer protocol).",
};

/* The first `len` bytes of `o` as a Buffer, which takes the memory over. */
static PyObject *take(outbuf *o, size_t len) {
    Buffer *b = PyObject_New(Buffer, &BufferType);
    if (!b) return NULL;
    b->data = o->data;
    b->len = (Py_ssize_t)len;
    b->cap = o->cap;
    o->data = NULL;
    o->len = o->cap = 0;
    return (PyObject *)b;
}

static Py_ssize_t null_count(const outbuf *valid, size_t rows) {
    size_t set = 0;
    const unsigned char *bits = (const unsigned char *)valid->data;
    for (size_t i = 0; i < rows / 8; i++) set += (size_t)__builtin_popcount(bits[i]);
    if (rows % 8) set += (size_t)__builtin_popcount(bits[rows / 8] & ((1u << (rows % 8)) - 1));
    return (Py_ssize_t)(rows - set);
}

/* Column `i` as (null_count, validity, offsets, data), the parts lat.ingest.fastpath hands to
 * pyarrow.Array.from_buffers; None for the columns Python makes (K_NONE). */
static PyObject *column_parts(table *t, int i) {
    column *c = &t->col[i];
    size_t rows = t->rows, bitmap = (rows + 7) / 8;
    if (KINDS[i] == K_NONE) Py_RETURN_NONE;
    /* (null count first: take() hands the memory over) */
    Py_ssize_t nulls = KINDS[i] == K_I64 ? 0 : null_count(&c->valid, rows);
    PyObject *valid = KINDS[i] == K_I64 ? Py_NewRef(Py_None) : take(&c->valid, bitmap);
    PyObject *offsets = Py_NewRef(Py_None), *data = NULL;
    if (KINDS[i] == K_STR || KINDS[i] == K_LSTR) {
        Py_SETREF(offsets, take(&c->offsets, (KINDS[i] == K_STR ? 4 : 8) * (rows + 1)));
        data = take(&c->data, c->data.len);
    } else {
        data = take(&c->data, KINDS[i] == K_BOOL ? bitmap : 8 * rows);
    }
    if (!valid || !offsets || !data) {
        Py_XDECREF(valid);
        Py_XDECREF(offsets);
        Py_XDECREF(data);
        return NULL;
    }
    return Py_BuildValue("(nNNN)", nulls, valid, offsets, data);
}

/* ------------------------------------------------------------------------------------------ */
/* Python functions                                                                           */

static int require_config(void) {
    if (config.ready) return 0;
    PyErr_SetString(PyExc_RuntimeError, "lat.ingest._fastxapi: configure() was not called (import lat.ingest.fastpath)");
    return -1;
}

/* The batch's stored value, as it is (timestamp column) and as JSON string text (raw's head). */
static int set_stored(workspace *ws, PyObject *stored) {
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(stored, &len);
    if (!text) return -1;
    if (write_string(&ws->stored_json, text, (size_t)len)) {
        PyErr_NoMemory();
        return -1;
    }
    ws->stored = text;  /* lives as long as `stored`, which the caller holds */
    ws->stored_len = (size_t)len;
    return 0;
}

static PyObject *scan_result(table *t, int64_t records, const char *data, outbuf *pending, outbuf *own_ids) {
    PyObject *columns = PyTuple_New(ALL_COLUMNS), *pending_list = NULL, *own_list = NULL;
    if (!columns) return NULL;
    for (int i = 0; i < ALL_COLUMNS; i++) {
        PyObject *parts = column_parts(t, i);
        if (!parts) goto fail;
        PyTuple_SET_ITEM(columns, i, parts);
    }
    size_t n_pending = pending->len / sizeof(pending_record), n_own = own_ids->len / sizeof(own_id_row);
    if (!(pending_list = PyList_New((Py_ssize_t)n_pending)) || !(own_list = PyList_New((Py_ssize_t)n_own))) goto fail;
    for (size_t i = 0; i < n_pending; i++) {
        const pending_record *r = (const pending_record *)pending->data + i;
        PyObject *item = Py_BuildValue("(LLy#)", (long long)r->seq, (long long)r->line, data + r->offset,
                                       (Py_ssize_t)r->len);
        if (!item) goto fail;
        PyList_SET_ITEM(pending_list, (Py_ssize_t)i, item);
    }
    for (size_t i = 0; i < n_own; i++) {
        const own_id_row *r = (const own_id_row *)own_ids->data + i;
        PyObject *item = Py_BuildValue("(ny#)", (Py_ssize_t)r->row, data + r->offset, (Py_ssize_t)r->len);
        if (!item) goto fail;
        PyList_SET_ITEM(own_list, (Py_ssize_t)i, item);
    }
    return Py_BuildValue("(LnNNN)", (long long)records, (Py_ssize_t)t->rows, columns, pending_list, own_list);
fail:
    Py_DECREF(columns);
    Py_XDECREF(pending_list);
    Py_XDECREF(own_list);
    return NULL;
}

static PyObject *py_scan_table(PyObject *self, PyObject *args) {
    Py_buffer view;
    long long first_line, seq;
    int rules = 1;
    PyObject *stored, *out = NULL;
    workspace ws = {0};
    table t;
    outbuf pending = {0}, own_ids = {0};
    if (require_config() || !PyArg_ParseTuple(args, "y*LLU|p", &view, &first_line, &seq, &stored, &rules))
        return NULL;
    const char *data = view.buf;
    /* room for rows of ~1 KB (a guess, no counting pass over the block): columns grow as needed */
    size_t size = (size_t)view.len, lines = size / 1024 + 64;
    if (set_stored(&ws, stored) == 0) {
        int64_t records = 0;
        int rc = table_init(&t, lines, size + lines * (128 + 2 * ws.stored_json.len));
        if (rc == 0) {
            Py_BEGIN_ALLOW_THREADS
            rc = scan_block(&ws, &t, data, size, first_line, seq, rules, &pending, &own_ids, &records);
            Py_END_ALLOW_THREADS
        }
        if (rc == 0) learn_row_bytes(&t);
        out = rc ? PyErr_NoMemory() : scan_result(&t, records, data, &pending, &own_ids);
        table_free(&t);
    }
    free(pending.data);
    free(own_ids.data);
    PyBuffer_Release(&view);
    workspace_free(&ws);
    return out;
}

static PyObject *py_canonical(PyObject *self, PyObject *arg) {
    Py_buffer view;
    workspace ws = {0};
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE)) return NULL;
    const jnode *root = parse_document(&ws.nodes, view.buf, (size_t)view.len);
    PyObject *out;
    if (!root) out = Py_NewRef(Py_None);
    else if (write_value(&ws.canon, root, NULL)) out = PyErr_NoMemory();
    else out = PyBytes_FromStringAndSize(ws.canon.data, (Py_ssize_t)ws.canon.len);
    PyBuffer_Release(&view);
    workspace_free(&ws);
    return out;
}

static PyObject *py_proven(PyObject *self, PyObject *arg) {
    Py_buffer view;
    workspace ws = {0};
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE)) return NULL;
    const jnode *root = parse_document(&ws.nodes, view.buf, (size_t)view.len);
    int ok = root && xapi_fast_valid(root);
    PyBuffer_Release(&view);
    workspace_free(&ws);
    return PyBool_FromLong(ok);
}

static PyObject *py_sha1(PyObject *self, PyObject *args) {
    Py_buffer view;
    int portable = 0;
    unsigned char digest[20];
    if (!PyArg_ParseTuple(args, "y*|p", &view, &portable)) return NULL;
    (portable ? sha1_portable : config.sha1)(view.buf, (size_t)view.len, digest);
    PyBuffer_Release(&view);
    return PyBytes_FromStringAndSize((const char *)digest, 20);
}

static int copy_text(PyObject *text, char *to, size_t size, size_t *len) {
    Py_ssize_t n;
    const char *utf8 = PyUnicode_Check(text) ? PyUnicode_AsUTF8AndSize(text, &n) : NULL;
    if (!utf8 || (size_t)n >= size) return -1;
    memcpy(to, utf8, (size_t)n + 1);
    if (len) *len = (size_t)n;
    return 0;
}

static PyObject *py_configure(PyObject *self, PyObject *args) {
    Py_buffer ns;
    PyObject *voided, *iris, *library = Py_None;
    if (!PyArg_ParseTuple(args, "y*UO!|O", &ns, &voided, &PyTuple_Type, &iris, &library)) return NULL;
    int ok = ns.len == 16 && PyTuple_GET_SIZE(iris) == PROFILE_COLUMNS &&
             copy_text(voided, config.voided, sizeof config.voided, &config.voided_len) == 0;
    for (int i = 0; ok && i < PROFILE_COLUMNS; i++)
        ok = copy_text(PyTuple_GET_ITEM(iris, i), config.profile[i], sizeof config.profile[i], &config.profile_len[i]) == 0;
    if (ok) memcpy(config.namespace_bytes, ns.buf, 16);
    PyBuffer_Release(&ns);
    if (!ok) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "configure(namespace: 16 bytes, voided: str, profile_iris: 7 str, "
                                          "libcrypto: str | None): short texts expected");
        return NULL;
    }
    char why[512] = "no libcrypto given";
    sha1_function sha1 = NULL;
    const char *which = "";
    if (library != Py_None) {
        const char *path = PyUnicode_AsUTF8(library);
        if (!path) return NULL;
        sha1 = openssl_sha1(path, why, sizeof why, &which);
    }
    config.sha1 = sha1 ? sha1 : sha1_portable;
    config.ready = 1;
    if (sha1) return PyUnicode_FromFormat("SHA-1: OpenSSL's %s from %U", which, library);
    return PyUnicode_FromFormat("SHA-1: the portable C implementation (%s)", why);
}

static PyMethodDef methods[] = {
    {"configure", py_configure, METH_VARARGS,
     "configure(namespace: bytes, voided: str, profile_iris: tuple[str, ...], libcrypto: str | None = None) -> str\n\n"
     "What the rows need from lat.xapi.ids, lat.xapi.vocab and lat.xapi.fields, and the libcrypto whose SHA1() derives ids "
     "(None, or one that fails: the portable C SHA-1); returns which SHA-1 is used. lat.ingest.fastpath calls it on "
     "import; not while a scan runs."},
    {"scan_table", py_scan_table, METH_VARARGS,
     "scan_table(data: bytes, first_line: int, seq: int, stored: str, rules: bool = True) -> "
     "(records, rows, columns, pending, own_ids)\n\nThe rows of the proven records of an NDJSON block, built "
     "without the GIL: columns holds, per column of lat.store.rows.NAMES, (null_count, validity, offsets, data) "
     "buffers for pyarrow.Array.from_buffers, or None for the columns the caller makes (source, item_index, "
     "digest, void_target); pending is (seq, line, text) of every other record; own_ids is (row, text) of the "
     "rows whose digest (lat.xapi.ids.content_digest) the caller sets. rules=False skips xapi_fast_valid (tests)."},
    {"canonical", py_canonical, METH_O,
     "canonical(line: bytes) -> bytes | None\n\nThe JSON document as orjson.dumps(OPT_SORT_KEYS) writes it; "
     "None when not proven."},
    {"proven", py_proven, METH_O, "proven(line: bytes) -> bool\n\nThe line parses and xapi_fast_valid holds."},
    {"sha1", py_sha1, METH_VARARGS,
     "sha1(data: bytes, portable: bool = False) -> bytes\n\nThe SHA-1 digest by the configured SHA-1, or by "
     "the portable C one (tests compare both with hashlib)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "lat.ingest._fastxapi",
    .m_doc = "NDJSON lines to rows of lat.store.rows as Arrow buffers, in C (see lat/ingest/fastpath.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__fastxapi(void) {
    /* before any call: canonical() and proven() read floats without configure() */
    if (!c_locale && !(c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0))) return PyErr_NoMemory();
    if (PyType_Ready(&BufferType)) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "COLUMNS", ALL_COLUMNS)) Py_CLEAR(m);
    return m;
}
