/* xAPI rules of the C fast path: is a parsed statement CERTAINLY one the Python path stores?
 *
 * xapi_fast_valid (see lat/ingest/_fastxapi.h) answers 1 only when all of these hold:
 *   - lat.xapi.validation.validate(statement) returns None (the rules in lat/xapi/rules/);
 *   - the statement is no voiding statement (lat.ingest.batches and lat.store.voiding handle those);
 *   - DuckDB reads its id and context.registration as UUIDs and its timestamp as the instant
 *     the text means (TRY_CAST in lat/ingest/engine.py and the writer).
 * Anything else gives 0 and the Python path decides, so every check here accepts a SUBSET of
 * what the Python rule accepts: strict ASCII forms of IRIs, language tags, mailto addresses,
 * timestamps and durations; Agents only (no Groups); Activity objects only. Each rule family
 * is one static function whose comment names the Python function it mirrors.
 *
 * The tree comes from lat/ingest/_fastxapi.c: strict JSON, valid UTF-8, object members sorted by key
 * bytes and no duplicate keys. Keys and strings are not NUL-terminated: always compare by length.
 */
#include <math.h>
#include <string.h>

#include "_fastxapi.h"

/* ---- small helpers ------------------------------------------------------------------- */

/* 1 when the member `m` is named `key` (NUL-terminated ASCII). */
static int key_is(const jnode *m, const char *key) {
    size_t n = strlen(key);
    return m->key_len == n && memcmp(m->key, key, n) == 0;
}

/* 1 when `node` is a string equal to `text` (NUL-terminated ASCII). */
static int string_is(const jnode *node, const char *text) {
    size_t n = strlen(text);
    return node->kind == J_STRING && node->len == n && memcmp(node->text, text, n) == 0;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(unsigned char c) { return is_digit(c) || is_alpha(c); }
static int is_hex(unsigned char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

/* The number held by `n` ASCII digits at `s` (the caller checked they are digits). */
static int digits_value(const char *s, size_t n) {
    int value = 0;
    for (size_t i = 0; i < n; i++) value = value * 10 + (s[i] - '0');
    return value;
}

/* 1 when `n` bytes at `s` are all ASCII digits. */
static int all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i])) return 0;
    return 1;
}

/* ---- string formats (lat/xapi/rules/formats.py) -------------------------------------- */

/* A character of the IRIs accepted here: RFC 3986's unreserved and reserved characters and
 * '%'. None of them is whitespace, a control or one of <>"{}|\^` that formats._IRI excludes. */
/* The characters an IRI may hold here (formats._IRI's ASCII set), as a table: IRIs are most of
 * a statement's text, and a branch per character cost 3% of an ingest's CPU. */
static const unsigned char IRI_CHARS[256] = {
    ['0' ... '9'] = 1, ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1,
    ['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1, [':'] = 1, ['/'] = 1, ['?'] = 1, ['#'] = 1, ['['] = 1, [']'] = 1,
    ['@'] = 1, ['!'] = 1, ['$'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1,
    [';'] = 1, ['='] = 1, ['%'] = 1,
};

static int is_iri_char(unsigned char c) { return IRI_CHARS[c]; }

/* An absolute IRI (formats.iri_error, formats._IRI), ASCII only: a scheme
 * [A-Za-z][A-Za-z0-9+.-]* and ':', then at least one IRI character; http and https (any case)
 * need "//" and a first authority character that is not '/', '?' or '#'. */
static int iri_text_ok(const char *s, size_t n) {
    size_t i = 0;
    if (n == 0 || !is_alpha((unsigned char)s[0])) return 0;
    while (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-')) i++;
    if (i == n || s[i] != ':') return 0;
    size_t scheme = i++;
    if (i == n) return 0; /* nothing after the scheme */
    for (size_t j = i; j < n; j++)
        if (!is_iri_char((unsigned char)s[j])) return 0;
    int http = (scheme == 4 || scheme == 5) && lower(s[0]) == 'h' && lower(s[1]) == 't' &&
               lower(s[2]) == 't' && lower(s[3]) == 'p' && (scheme == 4 || lower(s[4]) == 's');
    if (http) {
        /* "http://" then an authority: formats._IRI's [^\s/?#...]+ */
        if (n - i < 3 || s[i] != '/' || s[i + 1] != '/') return 0;
        char first = s[i + 2];
        if (first == '/' || first == '?' || first == '#') return 0;
    }
    return 1;
}

static int is_iri(const jnode *node) { return node->kind == J_STRING && iri_text_ok(node->text, node->len); }

/* `n` ASCII letters from `s` on (no bound checks beyond `end`). */
static int letters(const char *s, const char *end, size_t n) {
    if ((size_t)(end - s) < n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alpha((unsigned char)s[i])) return 0;
    return 1;
}

/* An RFC 5646 language tag (formats.language_tag_error, formats._LANGTAG, case-insensitive),
 * the common subset: language (2-3 letters), optional script (4 letters), optional region
 * (2 letters or 3 digits): en, en-GB, zh-Hant-TW, es-419. Also private use: x-lat. */
static int language_tag_ok(const char *s, size_t n) {
    const char *end = s + n;
    const char *p = s;
    if (n >= 3 && (s[0] == 'x' || s[0] == 'X') && s[1] == '-') {
        /* privateuse: x(-[a-z0-9]{1,8})+ */
        p = s + 1;
        while (p < end) {
            if (*p != '-') return 0;
            const char *q = ++p;
            while (q < end && is_alnum((unsigned char)*q)) q++;
            if (q - p < 1 || q - p > 8) return 0;
            p = q;
        }
        return 1;
    }
    size_t lang = 0;
    while (p + lang < end && is_alpha((unsigned char)p[lang])) lang++;
    if (lang < 2 || lang > 3) return 0;
    p += lang;
    if (p == end) return 1;
    if (*p != '-') return 0;
    p++;
    /* script: 4 letters followed by the end or '-' */
    if (letters(p, end, 4) && (p + 4 == end || p[4] == '-')) {
        p += 4;
        if (p == end) return 1;
        p++; /* the '-' */
    }
    /* region: 2 letters or 3 digits, then the end */
    if (end - p == 2 && letters(p, end, 2)) return 1;
    if (end - p == 3 && all_digits(p, 3)) return 1;
    return 0;
}

/* A UUID (formats.uuid_error) that DuckDB's TRY_CAST(... AS UUID) reads: 8-4-4-4-12 hex
 * digits, RFC 4122 variant (digit 17 of 8, 9, a, b), version 1 to 8. */
static int is_uuid(const jnode *node) {
    if (node->kind != J_STRING || node->len != 36) return 0;
    const char *s = node->text;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return 0;
        } else if (!is_hex((unsigned char)s[i])) {
            return 0;
        }
    }
    if (s[14] < '1' || s[14] > '8') return 0;
    char variant = lower((unsigned char)s[19]);
    return variant == '8' || variant == '9' || variant == 'a' || variant == 'b';
}

static int is_leap(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

/* A timestamp (formats.timestamp_error) in the one form that is valid under both versions'
 * rules (RFC 3339, formats._RFC3339) and that DuckDB's TRY_CAST(... AS TIMESTAMPTZ) reads as
 * the same instant: YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|+HH:MM|-HH:MM), years 1000-9999, a calendar
 * date, seconds 00-59 (no leap second), offset hours 00-23, no "-00:00". DuckDB drops fraction
 * digits beyond the sixth and reads a time without offset in the session's zone: both refused. */
static int is_timestamp(const jnode *node) {
    if (node->kind != J_STRING || node->len < 20) return 0;
    const char *s = node->text;
    size_t n = node->len;
    if (!all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' || !all_digits(s + 8, 2) ||
        s[10] != 'T' || !all_digits(s + 11, 2) || s[13] != ':' || !all_digits(s + 14, 2) || s[16] != ':' ||
        !all_digits(s + 17, 2))
        return 0;
    static const int days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = digits_value(s, 4), month = digits_value(s + 5, 2), day = digits_value(s + 8, 2);
    if (year < 1000 || month < 1 || month > 12 || day < 1 || day > days[month]) return 0;
    if (month == 2 && day == 29 && !is_leap(year)) return 0;
    if (digits_value(s + 11, 2) > 23 || digits_value(s + 14, 2) > 59 || digits_value(s + 17, 2) > 59) return 0;
    size_t i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < n && is_digit((unsigned char)s[i])) i++;
        if (i - start < 1 || i - start > 6) return 0;
    }
    if (i == n) return 0; /* no offset */
    if (s[i] == 'Z') return i + 1 == n;
    if (s[i] != '+' && s[i] != '-') return 0;
    const char *o = s + i;
    if (n - i != 6 || !all_digits(o + 1, 2) || o[3] != ':' || !all_digits(o + 4, 2)) return 0;
    int hours = digits_value(o + 1, 2), minutes = digits_value(o + 4, 2);
    if (hours > 23 || minutes > 59) return 0;
    return !(o[0] == '-' && hours == 0 && minutes == 0); /* "-00:00": unknown local offset */
}

/* An ISO 8601 duration (formats.duration_error): PnYnMnDTnHnMnS (components in that order, at
 * least one, 'T' followed by at least one) or PnW alone. Subset: numbers of 1 to 9 digits, a
 * '.' fraction (never ',') only on the last component. */
static int is_duration(const jnode *node) {
    if (node->kind != J_STRING || node->len < 3 || node->text[0] != 'P') return 0;
    const char *s = node->text;
    size_t n = node->len, i = 1;
    const char *order = "YMD"; /* the designators still allowed, in order */
    int in_time = 0, components = 0;
    while (i < n) {
        if (s[i] == 'T') {
            if (in_time) return 0;
            in_time = 1;
            order = "HMS";
            i++;
            if (i == n || !is_digit((unsigned char)s[i])) return 0;
            continue;
        }
        size_t start = i;
        while (i < n && is_digit((unsigned char)s[i])) i++;
        if (i - start < 1 || i - start > 9) return 0;
        int fraction = 0;
        if (i < n && s[i] == '.') {
            start = ++i;
            while (i < n && is_digit((unsigned char)s[i])) i++;
            if (i - start < 1 || i - start > 9) return 0;
            fraction = 1;
        }
        if (i == n) return 0; /* a number without its designator */
        char designator = s[i++];
        if (designator == 'W') {
            if (components != 0 || in_time || i != n) return 0; /* PnW stands alone */
        } else {
            const char *at = strchr(order, designator);
            if (designator == '\0' || at == NULL) return 0;
            order = at + 1;
        }
        if (fraction && i != n) return 0;
        components++;
    }
    return components > 0;
}

/* A mailto IRI (formats.mbox_error), subset: mailto:local@domain with local of
 * [A-Za-z0-9._%+-] and domain of [A-Za-z0-9.-], both non-empty. */
static int is_mbox(const jnode *node) {
    if (node->kind != J_STRING || node->len < 10 || memcmp(node->text, "mailto:", 7) != 0) return 0;
    const char *s = node->text + 7;
    size_t n = node->len - 7, at = 0, ats = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '@') {
            at = i;
            ats++;
        } else if (!(is_alnum(c) || c == '.' || c == '-' || (ats == 0 && (c == '_' || c == '%' || c == '+')))) {
            return 0;
        }
    }
    return ats == 1 && at > 0 && at < n - 1;
}

/* 40 hex digits (formats.sha1_error). */
static int is_sha1(const jnode *node) {
    if (node->kind != J_STRING || node->len != 40) return 0;
    for (size_t i = 0; i < 40; i++)
        if (!is_hex((unsigned char)node->text[i])) return 0;
    return 1;
}

/* ---- language maps and extensions (lat/xapi/rules/activities.py) --------------------- */

/* A language map (activities.language_map_error): an object of language tag -> string. */
static int is_language_map(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    for (const jnode *m = node->child; m; m = m->next)
        if (m->kind != J_STRING || !language_tag_ok(m->key, m->key_len)) return 0;
    return 1;
}

/* An extensions map (activities.extensions_error): an object with IRI keys, any values. */
static int is_extensions(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    for (const jnode *m = node->child; m; m = m->next)
        if (!iri_text_ok(m->key, m->key_len)) return 0;
    return 1;
}

/* ---- Agents (lat/xapi/rules/agents.py) ------------------------------------------------ */

/* An account (agents.account_error): exactly homePage (an IRI) and name (a string). */
static int is_account(const jnode *node) {
    if (node->kind != J_OBJECT || node->count != 2) return 0;
    const jnode *home = node->child, *name = home->next; /* sorted: homePage < name */
    return key_is(home, "homePage") && is_iri(home) && key_is(name, "name") && name->kind == J_STRING;
}

/* An Agent (agents.agent_error; agents.actor_error for the actor and context.instructor):
 * objectType absent or "Agent", an optional string name and exactly one identifier of mbox,
 * mbox_sha1sum, openid, account. Groups are left to the Python path. */
static int is_agent(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    int identifiers = 0;
    for (const jnode *m = node->child; m; m = m->next) {
        if (key_is(m, "objectType")) {
            if (!string_is(m, "Agent")) return 0;
        } else if (key_is(m, "name")) {
            if (m->kind != J_STRING) return 0;
        } else if (key_is(m, "account")) {
            if (!is_account(m)) return 0;
            identifiers++;
        } else if (key_is(m, "mbox")) {
            if (!is_mbox(m)) return 0;
            identifiers++;
        } else if (key_is(m, "mbox_sha1sum")) {
            if (!is_sha1(m)) return 0;
            identifiers++;
        } else if (key_is(m, "openid")) {
            if (!is_iri(m)) return 0;
            identifiers++;
        } else {
            return 0; /* member (a Group's) or a property no Agent has */
        }
    }
    return identifiers == 1;
}

/* ---- Activities (lat/xapi/rules/activities.py) ---------------------------------------- */

/* The interaction component lists, and the interaction types that take them
 * (activities.INTERACTION_TYPES). */
static const char *const COMPONENT_LISTS[] = {"choices", "scale", "source", "target", "steps"};
enum { N_COMPONENT_LISTS = 5, MAX_COMPONENTS = 256 };

static const struct {
    const char *type;
    const char *lists[2]; /* component lists allowed (NULL: none) */
} INTERACTION_TYPES[] = {
    {"true-false", {NULL, NULL}}, {"choice", {"choices", NULL}}, {"fill-in", {NULL, NULL}},
    {"long-fill-in", {NULL, NULL}}, {"matching", {"source", "target"}}, {"performance", {"steps", NULL}},
    {"sequencing", {"choices", NULL}}, {"likert", {"scale", NULL}}, {"numeric", {NULL, NULL}},
    {"other", {NULL, NULL}},
};
enum { N_INTERACTION_TYPES = sizeof INTERACTION_TYPES / sizeof INTERACTION_TYPES[0] };

/* A list of interaction components (activities.components_error): an array of objects with a
 * non-empty string id, distinct within the list, and an optional description language map. */
static int is_components(const jnode *node) {
    if (node->kind != J_ARRAY || node->count > MAX_COMPONENTS) return 0;
    for (const jnode *c = node->child; c; c = c->next) {
        if (c->kind != J_OBJECT) return 0;
        const jnode *id = NULL;
        for (const jnode *m = c->child; m; m = m->next) {
            if (key_is(m, "id")) {
                id = m;
            } else if (key_is(m, "description")) {
                if (!is_language_map(m)) return 0;
            } else {
                return 0;
            }
        }
        if (id == NULL || id->kind != J_STRING || id->len == 0) return 0;
        for (const jnode *e = node->child; e != c; e = e->next) { /* earlier ids: checked strings */
            const jnode *other = e->child;
            while (!key_is(other, "id")) other = other->next;
            if (other->len == id->len && memcmp(other->text, id->text, id->len) == 0) return 0;
        }
    }
    return 1;
}

/* The index of a component list's name, or -1. */
static int component_list(const jnode *m) {
    for (int i = 0; i < N_COMPONENT_LISTS; i++)
        if (key_is(m, COMPONENT_LISTS[i])) return i;
    return -1;
}

/* The interaction properties of a definition fit together (activities.interaction_error):
 * a known interactionType; component lists only those its type takes, each valid;
 * correctResponsesPattern an array of strings. */
static int interaction_ok(const jnode *definition) {
    const jnode *type = definition->child;
    while (type && !key_is(type, "interactionType")) type = type->next;
    if (type == NULL || type->kind != J_STRING) return 0;
    int kind = -1;
    for (int i = 0; i < N_INTERACTION_TYPES; i++)
        if (string_is(type, INTERACTION_TYPES[i].type)) kind = i;
    if (kind < 0) return 0;
    for (const jnode *m = definition->child; m; m = m->next) {
        if (component_list(m) >= 0) {
            const char *const *allowed = INTERACTION_TYPES[kind].lists;
            if (!((allowed[0] && key_is(m, allowed[0])) || (allowed[1] && key_is(m, allowed[1])))) return 0;
            if (!is_components(m)) return 0;
        } else if (key_is(m, "correctResponsesPattern")) {
            if (m->kind != J_ARRAY) return 0;
            for (const jnode *p = m->child; p; p = p->next)
                if (p->kind != J_STRING) return 0;
        }
    }
    return 1;
}

/* An Activity Definition (activities.definition_error): language maps name and description,
 * IRIs type and moreInfo, extensions, and the interaction properties. */
static int is_definition(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    int interaction = 0;
    for (const jnode *m = node->child; m; m = m->next) {
        if (key_is(m, "name") || key_is(m, "description")) {
            if (!is_language_map(m)) return 0;
        } else if (key_is(m, "type") || key_is(m, "moreInfo")) {
            if (!is_iri(m)) return 0;
        } else if (key_is(m, "extensions")) {
            if (!is_extensions(m)) return 0;
        } else if (key_is(m, "interactionType") || key_is(m, "correctResponsesPattern") || component_list(m) >= 0) {
            interaction = 1;
        } else {
            return 0;
        }
    }
    return !interaction || interaction_ok(node);
}

/* An Activity (activities.activity_error): objectType absent or "Activity", an IRI id
 * (required), an optional definition. */
static int is_activity(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    int has_id = 0;
    for (const jnode *m = node->child; m; m = m->next) {
        if (key_is(m, "id")) {
            if (!is_iri(m)) return 0;
            has_id = 1;
        } else if (key_is(m, "definition")) {
            if (!is_definition(m)) return 0;
        } else if (key_is(m, "objectType")) {
            if (!string_is(m, "Activity")) return 0;
        } else {
            return 0;
        }
    }
    return has_id;
}

/* ---- Verb (lat/xapi/rules/statements.py) ---------------------------------------------- */

/* The voiding verb, compared without case: a near miss is left to the Python path too. */
static int is_voiding_verb(const jnode *id) {
    static const char voided[] = "http://adlnet.gov/expapi/verbs/voided";
    if (id->len != sizeof voided - 1) return 0;
    for (size_t i = 0; i < id->len; i++)
        if (lower((unsigned char)id->text[i]) != (unsigned char)voided[i]) return 0;
    return 1;
}

/* A Verb (statements.verb_error): an IRI id (required) and an optional display language map;
 * refused when it is the voiding verb (statements._voiding_error, lat.ingest.batches._voiding_problem). */
static int is_verb(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    int has_id = 0;
    for (const jnode *m = node->child; m; m = m->next) {
        if (key_is(m, "id")) {
            if (!is_iri(m) || is_voiding_verb(m)) return 0;
            has_id = 1;
        } else if (key_is(m, "display")) {
            if (!is_language_map(m)) return 0;
        } else {
            return 0;
        }
    }
    return has_id;
}

/* ---- Result (lat/xapi/rules/statements.py) -------------------------------------------- */

/* A score value as Python compares it: an int of at most 15 digits (a double holds it exactly,
 * so comparisons with floats are exact as in Python; its text is checked, not its double,
 * which rounds larger ints) or a finite float. */
static int score_number(const jnode *node, double *out) {
    if (node->kind == J_INT) {
        size_t sign = node->len > 0 && node->text[0] == '-';
        if (node->len - sign < 1 || node->len - sign > 15) return 0;
    } else if (node->kind != J_FLOAT || !isfinite(node->number)) {
        return 0;
    }
    *out = node->number;
    return 1;
}

/* A Score (statements.score_error): numbers only; scaled in [-1, 1]; min < max;
 * min <= raw <= max. */
static int is_score(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    int has_min = 0, has_max = 0, has_raw = 0;
    double low = 0, high = 0, raw = 0, scaled = 0;
    for (const jnode *m = node->child; m; m = m->next) {
        if (key_is(m, "scaled")) {
            if (!score_number(m, &scaled) || scaled < -1 || scaled > 1) return 0;
        } else if (key_is(m, "min")) {
            if (!score_number(m, &low)) return 0;
            has_min = 1;
        } else if (key_is(m, "max")) {
            if (!score_number(m, &high)) return 0;
            has_max = 1;
        } else if (key_is(m, "raw")) {
            if (!score_number(m, &raw)) return 0;
            has_raw = 1;
        } else {
            return 0;
        }
    }
    if (has_min && has_max && !(low < high)) return 0;
    if (has_raw && has_min && raw < low) return 0;
    if (has_raw && has_max && raw > high) return 0;
    return 1;
}

/* A Result (statements.result_error): score, success and completion booleans, a string
 * response, a duration, extensions. */
static int is_result(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    for (const jnode *m = node->child; m; m = m->next) {
        if (key_is(m, "score")) {
            if (!is_score(m)) return 0;
        } else if (key_is(m, "success") || key_is(m, "completion")) {
            if (m->kind != J_TRUE && m->kind != J_FALSE) return 0;
        } else if (key_is(m, "response")) {
            if (m->kind != J_STRING) return 0;
        } else if (key_is(m, "duration")) {
            if (!is_duration(m)) return 0;
        } else if (key_is(m, "extensions")) {
            if (!is_extensions(m)) return 0;
        } else {
            return 0;
        }
    }
    return 1;
}

/* ---- Context (lat/xapi/rules/statements.py) ------------------------------------------- */

/* contextActivities (statements.context_activities_error): parent, grouping, category, other,
 * each an Activity or an array of Activities. */
static int is_context_activities(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    for (const jnode *m = node->child; m; m = m->next) {
        if (!(key_is(m, "parent") || key_is(m, "grouping") || key_is(m, "category") || key_is(m, "other")))
            return 0;
        if (m->kind == J_OBJECT) {
            if (!is_activity(m)) return 0;
        } else if (m->kind == J_ARRAY) {
            for (const jnode *a = m->child; a; a = a->next)
                if (!is_activity(a)) return 0;
        } else {
            return 0;
        }
    }
    return 1;
}

/* A Context (statements.context_error) of a statement whose object is an Activity (so revision
 * and platform are allowed): a UUID registration, an Agent instructor, contextActivities,
 * string revision and platform, a language tag, extensions. team, statement, contextAgents
 * and contextGroups are left to the Python path. */
static int is_context(const jnode *node) {
    if (node->kind != J_OBJECT) return 0;
    for (const jnode *m = node->child; m; m = m->next) {
        if (key_is(m, "registration")) {
            if (!is_uuid(m)) return 0;
        } else if (key_is(m, "contextActivities")) {
            if (!is_context_activities(m)) return 0;
        } else if (key_is(m, "revision") || key_is(m, "platform")) {
            if (m->kind != J_STRING) return 0;
        } else if (key_is(m, "language")) {
            if (m->kind != J_STRING || !language_tag_ok(m->text, m->len)) return 0;
        } else if (key_is(m, "extensions")) {
            if (!is_extensions(m)) return 0;
        } else if (key_is(m, "instructor")) {
            if (!is_agent(m)) return 0;
        } else {
            return 0;
        }
    }
    return 1;
}

/* ---- Statement (lat/xapi/rules/statements.py, lat/xapi/validation.py) ---------------------- */

/* A version (statements.version_error): "1.0", "2.0", "1.0.n" or "2.0.n". Every form passes
 * whichever rules the statement's version picks (validation._mode): 1.0.x statements get the
 * 1.0.3 rules, 2.0.x the 2.0 rules, which take 1.0.x and 2.0.x. */
static int is_version(const jnode *node) {
    if (node->kind != J_STRING || node->len < 3) return 0;
    const char *s = node->text;
    if (!((s[0] == '1' || s[0] == '2') && s[1] == '.' && s[2] == '0')) return 0;
    if (node->len == 3) return 1;
    return node->len >= 5 && node->len <= 12 && s[3] == '.' && all_digits(s + 4, node->len - 4);
}

/* A Statement (statements.statement_error) with the rules' mode picked by its version. Every
 * check above accepts only what both the 1.0.3 and the 2.0 rules accept (timestamps are
 * RFC 3339, no contextAgents/contextGroups), so the mode does not change the answer. */
int xapi_fast_valid(const jnode *statement) {
    if (statement == NULL || statement->kind != J_OBJECT) return 0;
    int has_actor = 0, has_verb = 0, has_object = 0;
    for (const jnode *m = statement->child; m; m = m->next) {
        if (key_is(m, "actor")) {
            if (!is_agent(m)) return 0;
            has_actor = 1;
        } else if (key_is(m, "verb")) {
            if (!is_verb(m)) return 0;
            has_verb = 1;
        } else if (key_is(m, "object")) {
            if (!is_activity(m)) return 0; /* Agents, Groups, StatementRefs, SubStatements: Python */
            has_object = 1;
        } else if (key_is(m, "id")) {
            if (!is_uuid(m)) return 0;
        } else if (key_is(m, "timestamp")) {
            if (!is_timestamp(m)) return 0;
        } else if (key_is(m, "version")) {
            if (!is_version(m)) return 0;
        } else if (key_is(m, "result")) {
            if (!is_result(m)) return 0;
        } else if (key_is(m, "context")) {
            if (!is_context(m)) return 0;
        } else {
            return 0; /* stored, authority, attachments, or no property of a Statement */
        }
    }
    return has_actor && has_verb && has_object;
}
