/* The JSON tree shared by the parts of the C fast path (lat/_fastxapi*.c).
 *
 * lat/ingest/_fastxapi.c parses one NDJSON line into this tree (strict RFC 8259, valid UTF-8,
 * object members sorted by key bytes, duplicate keys refused), and writes rows from it;
 * lat/ingest/_fastxapi_rules.c decides whether the tree is certainly a valid xAPI statement.
 * See lat/ingest/fastpath.py for what the fast path promises and how it is tested.
 */
#ifndef LAT_FASTXAPI_H
#define LAT_FASTXAPI_H

#include <stddef.h>

typedef enum { J_NULL, J_FALSE, J_TRUE, J_INT, J_FLOAT, J_STRING, J_ARRAY, J_OBJECT } jkind;

typedef struct jnode jnode;
struct jnode {
    jkind kind;
    /* J_STRING: the decoded value, valid UTF-8 (it may hold NUL bytes), not NUL-terminated.
       J_INT, J_FLOAT: the number as canonical text (what orjson writes for it). */
    const char *text;
    size_t len;
    double number;      /* J_INT, J_FLOAT: the value */
    jnode *child;       /* J_ARRAY: first element; J_OBJECT: first member (sorted by key bytes) */
    size_t count;       /* J_ARRAY, J_OBJECT: number of elements or members */
    jnode *next;        /* the next element or member of the parent */
    const char *key;    /* a member of an object: its decoded key (valid UTF-8, not NUL-terminated) */
    size_t key_len;
};

/* The member of `object` named `key` (a NUL-terminated ASCII string), or NULL. */
const jnode *jx_get(const jnode *object, const char *key);

/* 1 when `node` is a J_STRING equal to the NUL-terminated `text`. */
int jx_is(const jnode *node, const char *text);

/* 1 when `statement` (a parsed line, as received) is certainly a statement that the Python
 * path would store: lat.xapi.validation.validate(stmt) returns None, it is no voiding statement,
 * and DuckDB reads its id, timestamp and registration. 0 when that is not proven: the
 * Python path then decides (and gives the reason when it rejects). */
int xapi_fast_valid(const jnode *statement);

#endif
