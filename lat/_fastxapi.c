/* lat._fastxapi: NDJSON lines straight to rows of lat.rows, for statements proven valid.
 *
 * The module parses a line into the tree of _fastxapi.h, asks xapi_fast_valid (the xAPI rules,
 * lat/_fastxapi_rules.c) whether the statement is certainly one the Python path would store,
 * and then appends exactly the values lat.rows.statement_values gives to the column lists of a
 * lat.rows.Columns. Everything that is not proven, at any step, is handed back to the Python
 * path, which stores it or rejects it with its reason: the C code never explains anything, it
 * only says yes (with a row) or "not proven".
 *
 * "Exactly the values" includes bytes: the canonical JSON written here is orjson's with
 * OPT_SORT_KEYS byte for byte (tests/test_fastpath.py checks it with hypothesis), so the raw
 * column and the derived uuid5 ids agree with lat.rows and lat.ids.
 *
 * Reading guide: arena, parser, canonical writer, SHA-1 and uuid5, row builder, scan, module.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#include "_fastxapi.h"

#define MAX_DEPTH 32          /* deeper documents: not proven (no xAPI statement nests so deep) */
#define MAX_INT_DIGITS 18     /* longer integers: not proven (orjson turns > 64-bit ones into floats) */
#define MAX_NUMBER_TEXT 64    /* longer number literals: not proven */
#define STATEMENT_COLUMNS 30  /* lat.rows.STATEMENT_COLUMNS */
#define ALL_COLUMNS 34        /* lat.rows.NAMES: seq, source, line, item_index, then the above */
#define PROFILE_COLUMNS 7     /* lat.flatten.PROFILE_COLUMNS */

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
        jnode *grown = PyMem_Realloc(a->nodes, nodes * sizeof(jnode));
        if (!grown) return -1;
        a->nodes = grown;
        a->nodes_cap = nodes;
    }
    if (text > a->text_cap) {
        char *grown = PyMem_Realloc(a->text, text);
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

static int is_digit(unsigned c) { return c >= '0' && c <= '9'; }

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
    char literal[MAX_NUMBER_TEXT];
    memcpy(literal, start, len);
    literal[len] = '\0';
    double value = PyOS_string_to_double(literal, NULL, NULL);
    if (value == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return -1;
    }
    node->number = value;
    if (!isfinite(value)) return -1;
    char *repr = PyOS_double_to_string(value, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (!repr) {
        PyErr_Clear();
        return -1;
    }
    size_t n = strlen(repr);
    char *text = strchr(repr, 'e') ? NULL : arena_text(ps->a, n);
    if (text) memcpy(text, repr, n);
    PyMem_Free(repr);
    if (!text) return -1;  /* an exponent: orjson writes those differently ("1e-7", "1e+16") */
    node->kind = J_FLOAT;
    node->text = text;
    node->len = n;
    return 0;
}

static int parse_value(parser *ps, jnode *node);

static int key_cmp(const jnode *x, const jnode *y) {
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
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

const jnode *jx_get(const jnode *object, const char *key) {
    if (!object || object->kind != J_OBJECT) return NULL;
    size_t len = strlen(key);
    for (const jnode *m = object->child; m; m = m->next)
        if (m->key_len == len && memcmp(m->key, key, len) == 0) return m;
    return NULL;
}

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
    char *grown = PyMem_Realloc(o->data, cap);
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

static int write_value(outbuf *o, const jnode *node);

/* An object's members, leaving out those whose key `skip` names (NULL-terminated list). */
static int write_object(outbuf *o, const jnode *node, const char *const *skip) {
    if (out_put(o, "{", 1)) return -1;
    int first = 1;
    for (const jnode *m = node->child; m; m = m->next) {
        int skipped = 0;
        for (const char *const *s = skip; s && *s && !skipped; s++)
            skipped = strlen(*s) == m->key_len && memcmp(*s, m->key, m->key_len) == 0;
        if (skipped) continue;
        if ((!first && out_put(o, ",", 1)) || write_string(o, m->key, m->key_len) || out_put(o, ":", 1) ||
            write_value(o, m))
            return -1;
        first = 0;
    }
    return out_put(o, "}", 1);
}

static int write_value(outbuf *o, const jnode *node) {
    switch (node->kind) {
    case J_NULL: return out_put(o, "null", 4);
    case J_FALSE: return out_put(o, "false", 5);
    case J_TRUE: return out_put(o, "true", 4);
    case J_INT:
    case J_FLOAT: return out_put(o, node->text, node->len);
    case J_STRING: return write_string(o, node->text, node->len);
    case J_OBJECT: return write_object(o, node, NULL);
    case J_ARRAY:
        if (out_put(o, "[", 1)) return -1;
        for (const jnode *e = node->child; e; e = e->next)
            if ((e != node->child && out_put(o, ",", 1)) || write_value(o, e)) return -1;
        return out_put(o, "]", 1);
    }
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Module configuration: what lat.fastpath passes in once (one source of truth: lat.ids,     */
/* lat.vocab, lat.flatten).                                                                   */

static struct {
    int ready;
    unsigned char namespace_bytes[16];    /* lat.ids.NAMESPACE.bytes */
    PyObject *voided;                     /* vocab.VOIDED (bytes, UTF-8) */
    PyObject *profile[PROFILE_COLUMNS];   /* the IRIs of lat.flatten.PROFILE_COLUMNS (bytes, NUL-terminated) */
    PyObject *activity, *version;         /* "Activity" and "1.0.0", shared by many rows */
    PyObject *sha1, *digest;              /* hashlib.sha1 and "digest" */
} config;

/* What one call works in. Allocated per call (a block has thousands of lines), so that no two
 * threads share buffers: hashlib lets other threads run while it hashes a long text. */
typedef struct {
    arena nodes;
    outbuf canon;        /* lat.ids.NAMESPACE (16 bytes), then the statement's canonical JSON */
    outbuf side;         /* short-lived texts: an extension's canonical JSON, actor keys, raw's head */
    outbuf stored;       /* the batch's stored value as a JSON string */
    PyObject *stored_obj;
} workspace;

static void workspace_free(workspace *ws) {
    PyMem_Free(ws->nodes.nodes);
    PyMem_Free(ws->nodes.text);
    PyMem_Free(ws->canon.data);
    PyMem_Free(ws->side.data);
    PyMem_Free(ws->stored.data);
}

/* ------------------------------------------------------------------------------------------ */
/* Row builder: lat.rows.statement_values in C. Every helper returns 0, or -1 for "not proven"*/
/* (no Python error set), or -2 for a Python error (set).                                     */

#define NOT_PROVEN (-1)
#define PY_FAILED (-2)

static PyObject *str_of(const char *text, size_t len) {
    return PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, NULL);
}

static int put(PyObject **slot, PyObject *value) {
    if (!value) return PY_FAILED;
    *slot = value;
    return 0;
}

static int put_none(PyObject **slot) {
    Py_INCREF(Py_None);
    *slot = Py_None;
    return 0;
}

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

/* A str column from `node`: absent or null -> None, a string -> str, else not proven. */
static int text_column(PyObject **slot, const jnode *node) {
    if (!node || node->kind == J_NULL) return put_none(slot);
    if (node->kind != J_STRING) return NOT_PROVEN;
    return put(slot, str_of(node->text, node->len));
}

/* lat.rows._number: absent or null -> None, a number -> float, else not proven (bools!). */
static int number_column(PyObject **slot, const jnode *node) {
    if (!node || node->kind == J_NULL) return put_none(slot);
    if (node->kind != J_INT && node->kind != J_FLOAT) return NOT_PROVEN;
    return put(slot, PyFloat_FromDouble(node->number));
}

static int bool_column(PyObject **slot, const jnode *node) {
    if (!node || node->kind == J_NULL) return put_none(slot);
    if (node->kind != J_TRUE && node->kind != J_FALSE) return NOT_PROVEN;
    return put(slot, PyBool_FromLong(node->kind == J_TRUE));
}

/* A node's canonical JSON as str. */
static int canonical_column(workspace *ws, PyObject **slot, const jnode *node) {
    ws->side.len = 0;
    if (write_value(&ws->side, node)) return PY_FAILED;
    return put(slot, str_of(ws->side.data, ws->side.len));
}

static int ascii_lower(workspace *ws, PyObject **slot, const char *prefix, const jnode *node) {
    size_t plen = strlen(prefix);
    ws->side.len = 0;
    if (out_reserve(&ws->side, plen + node->len)) return PY_FAILED;
    memcpy(ws->side.data, prefix, plen);
    for (size_t i = 0; i < node->len; i++) {
        unsigned char c = (unsigned char)node->text[i];
        if (c >= 0x80) return NOT_PROVEN;  /* str.lower() of non-ASCII: leave it to Python */
        ws->side.data[plen + i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return put(slot, str_of(ws->side.data, plen + node->len));
}

/* An inverse functional identifier the way `if x := agent.get(k)` reads it: 1 when it is a
 * non-empty string, 0 when absent/null/"" (Python goes on to the next), else not proven. */
static int ifi(const jnode *agent, const char *key, const jnode **out) {
    const jnode *node = jx_get(agent, key);
    *out = node;
    if (!node || node->kind == J_NULL || (node->kind == J_STRING && node->len == 0)) return 0;
    return node->kind == J_STRING ? 1 : NOT_PROVEN;
}

/* lat.flatten.actor_key for an agent; groups without an identifier are not proven. */
static int actor_key_column(workspace *ws, PyObject **slot, const jnode *agent) {
    const jnode *node;
    int rc;
    if (!agent || agent->kind != J_OBJECT) return NOT_PROVEN;
    if (!agent->count) return put_none(slot);
    if ((rc = ifi(agent, "mbox", &node))) return rc < 0 ? rc : ascii_lower(ws, slot, "", node);
    if ((rc = ifi(agent, "mbox_sha1sum", &node))) return rc < 0 ? rc : ascii_lower(ws, slot, "sha1:", node);
    if ((rc = ifi(agent, "openid", &node))) return rc < 0 ? rc : put(slot, str_of(node->text, node->len));
    const jnode *account = jx_get(agent, "account");
    if (account && account->kind == J_OBJECT && account->count) {
        const jnode *home = jx_get(account, "homePage"), *name = jx_get(account, "name");
        if ((home && home->kind != J_STRING) || (name && name->kind != J_STRING)) return NOT_PROVEN;
        size_t hl = home ? home->len : 0, nl = name ? name->len : 0;
        ws->side.len = 0;
        if (out_reserve(&ws->side, hl + nl + 1)) return PY_FAILED;
        if (hl) memcpy(ws->side.data, home->text, hl);
        ws->side.data[hl] = '|';
        if (nl) memcpy(ws->side.data + hl + 1, name->text, nl);
        return put(slot, str_of(ws->side.data, hl + nl + 1));
    }
    if (account && !(account->kind == J_NULL || account->kind == J_OBJECT)) return NOT_PROVEN;
    const jnode *members = jx_get(agent, "member");
    if (members && !(members->kind == J_NULL || (members->kind == J_ARRAY && members->count == 0)))
        return NOT_PROVEN;  /* a group's key hashes its members' keys: Python does it */
    return put_none(slot);
}

/* lat.flatten.duration_seconds: the regex's grammar (P[nY][nM][nW][nD][T[nH][nM][nS]]),
 * the same float arithmetic in the same order. Not proven: no match (Python's \d and $
 * match more than ASCII digits and the end), no component (sum() of nothing is int 0), and,
 * from Python 3.12 (compensated float sum()), more than one component. */
static int duration_column(PyObject **slot, const jnode *node) {
    static const char date_units[] = "YMWD", time_units[] = "HMS";
    static const double date_seconds[] = {365.25 * 86400, 30.4375 * 86400, 7 * 86400, 86400};
    static const double time_seconds[] = {3600, 60, 1};
    if (!node || node->kind == J_NULL) return put_none(slot);
    if (node->kind != J_STRING) return NOT_PROVEN;
    if (node->len == 0) return put_none(slot);
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
        char literal[MAX_NUMBER_TEXT];
        memcpy(literal, start, (size_t)(p - start));
        literal[p - start] = '\0';
        double value = PyOS_string_to_double(literal, NULL, NULL);
        if (value == -1.0 && PyErr_Occurred()) return PY_FAILED;
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
    return put(slot, PyFloat_FromDouble(total));
}

/* lat.rows._first_parent. */
static int parent_column(PyObject **slot, const jnode *context) {
    const jnode *activities, *parent = NULL;
    if (context) {
        if (object_or_none(jx_get(context, "contextActivities"), &activities)) return NOT_PROVEN;
        parent = activities ? jx_get(activities, "parent") : NULL;
    }
    if (!parent || parent->kind == J_NULL || (parent->kind == J_ARRAY && parent->count == 0)) return put_none(slot);
    if (parent->kind == J_ARRAY) parent = parent->child;
    if (parent->kind != J_OBJECT) return NOT_PROVEN;
    return text_column(slot, jx_get(parent, "id"));
}

/* lat.rows.json_text of a profile extension's value. */
static int profile_column(workspace *ws, PyObject **slot, const jnode *value) {
    if (!value || value->kind == J_NULL) return put_none(slot);
    if (value->kind == J_STRING) return put(slot, str_of(value->text, value->len));
    return canonical_column(ws, slot, value);
}

#define NS 16  /* ws->canon starts with lat.ids.NAMESPACE's 16 bytes: the uuid5 input in one piece */

/* The statement's identity: its canonical JSON without id, stored, authority and version (into
 * ws->canon after the namespace) and, when `derive`, the uuid5 over both, as 36 characters at `id`. */
static int identity(workspace *ws, const jnode *stmt, int derive, char id[36]) {
    static const char *const not_identity[] = {"id", "stored", "authority", "version", NULL};
    ws->canon.len = 0;
    if (out_put(&ws->canon, (const char *)config.namespace_bytes, NS) || write_object(&ws->canon, stmt, not_identity))
        return PY_FAILED;
    if (ws->canon.len < NS + 3) return NOT_PROVEN;  /* "{}": no statement */
    if (!derive) return 0;
    /* hashlib's SHA-1 (OpenSSL, with the CPU's SHA instructions) over a view of the buffer */
    PyObject *view = PyMemoryView_FromMemory(ws->canon.data, (Py_ssize_t)ws->canon.len, PyBUF_READ);
    PyObject *hash = view ? PyObject_CallOneArg(config.sha1, view) : NULL;
    Py_XDECREF(view);
    PyObject *digest = hash ? PyObject_CallMethodNoArgs(hash, config.digest) : NULL;
    Py_XDECREF(hash);
    if (!digest) return PY_FAILED;
    if (!PyBytes_Check(digest) || PyBytes_GET_SIZE(digest) != 20) {
        Py_DECREF(digest);
        PyErr_SetString(PyExc_RuntimeError, "hashlib.sha1 gave no 20-byte digest");
        return PY_FAILED;
    }
    unsigned char bytes[16];
    memcpy(bytes, PyBytes_AS_STRING(digest), 16);
    Py_DECREF(digest);
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

/* lat.rows._raw: {"id":..,"stored":..,["timestamp":..,]"version":.., then the canonical JSON after its "{". */
static int raw_column(workspace *ws, PyObject **slot, const char *id, size_t id_len, int add_timestamp,
                      const jnode *version) {
    outbuf *o = &ws->side;
    o->len = 0;
    if (out_put(o, "{\"id\":", 6) || write_string(o, id, id_len) || out_put(o, ",\"stored\":", 10) ||
        out_put(o, ws->stored.data, ws->stored.len))
        return PY_FAILED;
    if (add_timestamp && (out_put(o, ",\"timestamp\":", 13) || out_put(o, ws->stored.data, ws->stored.len)))
        return PY_FAILED;
    if (out_put(o, ",\"version\":", 11)) return PY_FAILED;
    if (version ? write_string(o, version->text, version->len) : out_put(o, "\"1.0.0\"", 7)) return PY_FAILED;
    size_t head = o->len, body = ws->canon.len - NS - 1;
    PyObject *raw = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(head + 1 + body));
    if (!raw) return PY_FAILED;
    char *w = PyBytes_AS_STRING(raw);
    memcpy(w, o->data, head);
    w[head] = ',';
    memcpy(w + head + 1, ws->canon.data + NS + 1, body);
    *slot = raw;
    return 0;
}

/* The STATEMENT_COLUMNS of `stmt` into values[0..29]; on failure every value made is released. */
static int statement_values(workspace *ws, const jnode *stmt, PyObject **values) {
    const jnode *context, *cext, *result, *score, *definition, *node;
    char id[36];
    int rc = NOT_PROVEN;
    for (int i = 0; i < STATEMENT_COLUMNS; i++) values[i] = NULL;
    if (stmt->kind != J_OBJECT) goto fail;
    /* A statement with an authority keeps it in raw's head in its input order, which the sorted
     * tree has lost: Python does those. One with its own id gets its row here but its digest
     * (lat.ids.content_digest) from lat.fastpath: the row's digest stays None meanwhile. */
    const jnode *own_id = jx_get(stmt, "id");
    if ((own_id && own_id->kind != J_STRING) || jx_get(stmt, "authority")) goto fail;
    const jnode *version = jx_get(stmt, "version"), *timestamp = jx_get(stmt, "timestamp");
    const jnode *verb = jx_get(stmt, "verb"), *obj = jx_get(stmt, "object");
    if (version && version->kind != J_STRING) goto fail;
    if (!verb || verb->kind != J_OBJECT || !obj || obj->kind != J_OBJECT) goto fail;
    const jnode *verb_id = jx_get(verb, "id");
    if (!verb_id || verb_id->kind != J_STRING) goto fail;
    if (verb_id->len == (size_t)PyBytes_GET_SIZE(config.voided) &&
        memcmp(verb_id->text, PyBytes_AS_STRING(config.voided), verb_id->len) == 0)
        goto fail;  /* a voiding statement: Python */
    if (object_or_none(jx_get(stmt, "context"), &context) || object_or_none(jx_get(stmt, "result"), &result) ||
        object_or_none(jx_get(obj, "definition"), &definition))
        goto fail;
    cext = score = NULL;
    if ((context && object_or_none(jx_get(context, "extensions"), &cext)) ||
        (result && object_or_none(jx_get(result, "score"), &score)))
        goto fail;
    if ((rc = identity(ws, stmt, !own_id, id))) goto fail;
    const char *sid = own_id ? own_id->text : id;
    size_t sid_len = own_id ? own_id->len : 36;

    PyObject **v = values;
    if ((rc = put(&v[0], str_of(sid, sid_len)))) goto fail;
    put_none(&v[1]);  /* digest: None for a derived id; for an own id, lat.fastpath sets it */
    if (!timestamp) {
        Py_INCREF(ws->stored_obj);
        v[2] = ws->stored_obj;
    } else if ((rc = text_column(&v[2], timestamp))) goto fail;
    if ((rc = text_column(&v[3], context ? jx_get(context, "registration") : NULL))) goto fail;
    put_none(&v[4]);  /* void_target: voiding statements went to Python */
    if ((rc = actor_key_column(ws, &v[5], jx_get(stmt, "actor")))) goto fail;
    if ((rc = text_column(&v[6], verb_id)) || (rc = text_column(&v[7], jx_get(obj, "id")))) goto fail;
    node = jx_get(obj, "objectType");
    if (!node) {
        Py_INCREF(config.activity);
        v[8] = config.activity;
    } else if ((rc = text_column(&v[8], node))) goto fail;
    if ((rc = text_column(&v[9], definition ? jx_get(definition, "type") : NULL))) goto fail;
    if ((rc = parent_column(&v[10], context))) goto fail;
    static const char *const score_keys[] = {"raw", "scaled", "min", "max"};
    for (int i = 0; i < 4; i++)
        if ((rc = number_column(&v[11 + i], score ? jx_get(score, score_keys[i]) : NULL))) goto fail;
    if ((rc = bool_column(&v[15], result ? jx_get(result, "success") : NULL)) ||
        (rc = bool_column(&v[16], result ? jx_get(result, "completion") : NULL)) ||
        (rc = text_column(&v[17], result ? jx_get(result, "response") : NULL)) ||
        (rc = duration_column(&v[18], result ? jx_get(result, "duration") : NULL)))
        goto fail;
    for (int i = 0; i < PROFILE_COLUMNS; i++)
        if ((rc = profile_column(ws, &v[19 + i], cext ? jx_get(cext, PyBytes_AS_STRING(config.profile[i])) : NULL)))
            goto fail;
    if ((rc = cext ? canonical_column(ws, &v[26], cext) : put_none(&v[26]))) goto fail;
    const jnode *rext;
    if (result && object_or_none(jx_get(result, "extensions"), &rext)) goto fail_not_proven;
    if ((rc = (result && rext) ? canonical_column(ws, &v[27], rext) : put_none(&v[27]))) goto fail;
    if (!version) {
        Py_INCREF(config.version);
        v[28] = config.version;
    } else if ((rc = text_column(&v[28], version))) goto fail;
    if ((rc = raw_column(ws, &v[29], sid, sid_len, !timestamp, version))) goto fail;
    return 0;
fail_not_proven:
    rc = NOT_PROVEN;
fail:
    for (int i = 0; i < STATEMENT_COLUMNS; i++) Py_CLEAR(values[i]);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Python functions                                                                           */

static int require_config(void) {
    if (config.ready) return 0;
    PyErr_SetString(PyExc_RuntimeError, "lat._fastxapi: configure() was not called (import lat.fastpath)");
    return -1;
}

/* The batch's stored value, also as JSON string text (for raw's head). */
static int set_stored(workspace *ws, PyObject *stored) {
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(stored, &len);
    if (!text) return -1;
    if (write_string(&ws->stored, text, (size_t)len)) {
        PyErr_NoMemory();
        return -1;
    }
    ws->stored_obj = stored;
    return 0;
}

static PyObject *py_canonical(PyObject *self, PyObject *arg) {
    Py_buffer view;
    workspace ws = {0};
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE)) return NULL;
    const jnode *root = parse_document(&ws.nodes, view.buf, (size_t)view.len);
    PyObject *out;
    if (!root) out = Py_NewRef(Py_None);
    else if (write_value(&ws.canon, root)) out = PyErr_NoMemory();
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

static PyObject *py_row_for_tests(PyObject *self, PyObject *args) {
    Py_buffer view;
    PyObject *stored, *out = NULL, *values[STATEMENT_COLUMNS];
    workspace ws = {0};
    if (require_config() || !PyArg_ParseTuple(args, "y*U", &view, &stored)) return NULL;
    if (set_stored(&ws, stored) == 0) {
        const jnode *root = parse_document(&ws.nodes, view.buf, (size_t)view.len);
        int rc = root ? statement_values(&ws, root, values) : NOT_PROVEN;
        if (rc == NOT_PROVEN) {
            out = Py_NewRef(Py_None);
        } else if (rc == 0 && (out = PyTuple_New(STATEMENT_COLUMNS))) {
            for (int i = 0; i < STATEMENT_COLUMNS; i++) PyTuple_SET_ITEM(out, i, values[i]);
        } else if (rc == 0) {
            for (int i = 0; i < STATEMENT_COLUMNS; i++) Py_DECREF(values[i]);
        }
    }
    PyBuffer_Release(&view);
    workspace_free(&ws);
    return out;
}

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* One record: its row into `lists` when proven (returns 1), else 0; -1 on a Python error.
 * A row of a statement with its own id adds (row index, text) to `digests`. */
static int scan_record(workspace *ws, const char *text, size_t len, long long seq, long long line, PyObject *source,
                       PyObject **lists, PyObject *digests) {
    PyObject *values[ALL_COLUMNS];
    const jnode *root = parse_document(&ws->nodes, text, len);
    if (!root || !xapi_fast_valid(root)) return 0;
    int rc = statement_values(ws, root, values + 4);
    if (rc == NOT_PROVEN) return 0;
    if (rc) return -1;
    values[0] = PyLong_FromLongLong(seq);
    values[1] = Py_NewRef(source);
    values[2] = PyLong_FromLongLong(line);
    values[3] = Py_NewRef(Py_None);
    int failed = !values[0] || !values[2];
    if (!failed && jx_get(root, "id")) {
        PyObject *item = Py_BuildValue("(ny#)", PyList_GET_SIZE(lists[0]), text, (Py_ssize_t)len);
        failed = !item || PyList_Append(digests, item);
        Py_XDECREF(item);
    }
    for (int i = 0; i < ALL_COLUMNS; i++) {
        if (!failed && PyList_Append(lists[i], values[i])) failed = 1;  /* (MemoryError only) */
        Py_XDECREF(values[i]);
    }
    return failed ? -1 : 1;
}

/* The records of `data` as lat.readers.LineBlock.numbered() walks them (split on \n, then
 * bytes.strip(): blank lines count as lines but are no records). */
static PyObject *scan_lines(workspace *ws, const char *data, size_t size, long long line, long long seq,
                            PyObject *source, PyObject **lists) {
    PyObject *pending = PyList_New(0), *digests = PyList_New(0);
    const char *p = data, *end = data + size;
    long long records = 0;
    if (!pending || !digests) {
        Py_XDECREF(pending);
        Py_XDECREF(digests);
        return NULL;
    }
    for (;;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *a = p, *b = eol ? eol : end;
        while (a < b && is_ws((unsigned char)*a)) a++;
        while (b > a && is_ws((unsigned char)b[-1])) b--;
        if (a < b) {
            int rc = scan_record(ws, a, (size_t)(b - a), seq, line, source, lists, digests);
            PyObject *item = rc == 0 ? Py_BuildValue("(LLy#)", seq, line, a, (Py_ssize_t)(b - a)) : NULL;
            if (rc < 0 || (rc == 0 && (!item || PyList_Append(pending, item)))) {
                Py_XDECREF(item);
                Py_DECREF(pending);
                Py_DECREF(digests);
                return NULL;
            }
            Py_XDECREF(item);
            seq++, records++;
        }
        if (!eol) break;
        p = eol + 1, line++;
    }
    return Py_BuildValue("(LNN)", records, pending, digests);
}

static PyObject *py_scan(PyObject *self, PyObject *args) {
    Py_buffer view;
    long long first_line, seq;
    PyObject *stored, *source, *lists_arg, *out = NULL, *lists[ALL_COLUMNS];
    workspace ws = {0};
    if (require_config() ||
        !PyArg_ParseTuple(args, "y*LLUUO!", &view, &first_line, &seq, &stored, &source, &PyList_Type, &lists_arg))
        return NULL;
    int ok = PyList_GET_SIZE(lists_arg) == ALL_COLUMNS;
    for (int i = 0; ok && i < ALL_COLUMNS; i++) ok = PyList_Check(lists[i] = PyList_GET_ITEM(lists_arg, i));
    if (!ok) PyErr_Format(PyExc_TypeError, "scan: lists must be %d lists (lat.rows.Columns.lists)", ALL_COLUMNS);
    else if (set_stored(&ws, stored) == 0)
        out = scan_lines(&ws, view.buf, (size_t)view.len, first_line, seq, source, lists);
    PyBuffer_Release(&view);
    workspace_free(&ws);
    return out;
}

static PyObject *py_configure(PyObject *self, PyObject *args) {
    Py_buffer ns;
    PyObject *voided, *iris;
    if (!PyArg_ParseTuple(args, "y*UO!", &ns, &voided, &PyTuple_Type, &iris)) return NULL;
    int ok = ns.len == 16 && PyTuple_GET_SIZE(iris) == PROFILE_COLUMNS;
    PyObject *profile[PROFILE_COLUMNS] = {NULL}, *voided_bytes = NULL;
    for (int i = 0; ok && i < PROFILE_COLUMNS; i++) {
        PyObject *iri = PyTuple_GET_ITEM(iris, i);
        ok = PyUnicode_Check(iri) && (profile[i] = PyUnicode_AsUTF8String(iri)) != NULL;
    }
    if (ok) ok = (voided_bytes = PyUnicode_AsUTF8String(voided)) != NULL;
    if (!ok) {
        for (int i = 0; i < PROFILE_COLUMNS; i++) Py_XDECREF(profile[i]);
        PyBuffer_Release(&ns);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "configure(namespace: 16 bytes, voided: str, profile_iris: 7 str)");
        return NULL;
    }
    memcpy(config.namespace_bytes, ns.buf, 16);
    PyBuffer_Release(&ns);
    Py_XSETREF(config.voided, voided_bytes);
    for (int i = 0; i < PROFILE_COLUMNS; i++) Py_XSETREF(config.profile[i], profile[i]);
    if (!config.activity) config.activity = PyUnicode_InternFromString("Activity");
    if (!config.version) config.version = PyUnicode_InternFromString("1.0.0");
    if (!config.digest) config.digest = PyUnicode_InternFromString("digest");
    if (!config.sha1) {
        PyObject *hashlib = PyImport_ImportModule("hashlib");
        config.sha1 = hashlib ? PyObject_GetAttrString(hashlib, "sha1") : NULL;
        Py_XDECREF(hashlib);
    }
    if (!config.activity || !config.version || !config.digest || !config.sha1) return NULL;
    config.ready = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", py_configure, METH_VARARGS,
     "configure(namespace: bytes, voided: str, profile_iris: tuple[str, ...]) -> None\n\n"
     "What the rows need from lat.ids, lat.vocab and lat.flatten; lat.fastpath calls it on import."},
    {"scan", py_scan, METH_VARARGS,
     "scan(data: bytes, first_line: int, seq: int, stored: str, source: str, lists: list[list]) -> "
     "(records, pending, digests)\n\nAppends the rows of the proven records of an NDJSON block to lists (one "
     "per column of lat.rows.NAMES); returns the record count, (seq, line, text) of every other record, and "
     "(row index, text) of the rows whose digest (lat.ids.content_digest: own id) the caller sets."},
    {"canonical", py_canonical, METH_O,
     "canonical(line: bytes) -> bytes | None\n\nThe JSON document as orjson.dumps(OPT_SORT_KEYS) writes it; "
     "None when not proven."},
    {"proven", py_proven, METH_O, "proven(line: bytes) -> bool\n\nThe line parses and xapi_fast_valid holds."},
    {"row_for_tests", py_row_for_tests, METH_VARARGS,
     "row_for_tests(line: bytes, stored: str) -> tuple | None\n\nlat.rows.statement_values of the line without "
     "the xAPI rules check (tests only); None when not proven."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "lat._fastxapi",
    .m_doc = "NDJSON lines to rows of lat.rows, in C (see lat/fastpath.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__fastxapi(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "COLUMNS", ALL_COLUMNS)) Py_CLEAR(m);
    return m;
}
