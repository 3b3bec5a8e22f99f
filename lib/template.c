/* template.c: parsing and expanding ss-rename's file name templates. */
#include <strings.h>

#include "ss.h"
#include "template.h"
#include "unicode.h"

enum term_kind { TERM_FIELD, TERM_STRING, TERM_FUNC };
enum func { F_LOWER, F_UPPER, F_FIRST, F_NOTHE, F_TRUNCATE };
enum op { OP_NONE, OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE };

struct expr;
struct seq;

struct term {
	enum term_kind kind;
	char *text;		/* field name or string */
	enum func func;
	struct expr *arg;
	long long n;		/* truncate's length */
};

struct expr {
	struct term *alt;
	size_t nalt;
};

struct node {
	char *text;		/* literal, or NULL for a brace */
	size_t len;
	struct expr *expr;
	enum op op;
	char *rhs;
	int width;		/* {x:02} */
	int cond;
	struct seq *then, *els;
};

struct seq {
	struct node *v;
	size_t n;
};

struct ss_template {
	struct seq *top;
};

struct parser {
	const char *s;
	size_t i;
	ss_template_known_fn *known;
	struct ss_err *e;
};

static const struct {
	const char *name;
	enum func f;
} funcs[] = {
	{ "first", F_FIRST }, { "lower", F_LOWER }, { "nothe", F_NOTHE },
	{ "truncate", F_TRUNCATE }, { "upper", F_UPPER }
};

static void seq_free(struct seq *q);

static void
expr_free(struct expr *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->nalt; i++) {
		free(x->alt[i].text);
		expr_free(x->alt[i].arg);
	}
	free(x->alt);
	free(x);
}

static void
seq_free(struct seq *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++) {
		free(q->v[i].text);
		expr_free(q->v[i].expr);
		free(q->v[i].rhs);
		seq_free(q->v[i].then);
		seq_free(q->v[i].els);
	}
	free(q->v);
	free(q);
}

void
ss_template_free(struct ss_template *t)
{
	if (t == NULL)
		return;
	seq_free(t->top);
	free(t);
}

/* Fails at the current position: "column N: MESSAGE". */
static int fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *p, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ss_err_set(p->e, "template", 0, "column %zu: %s",
	    ss_unicode_length(p->s, p->i) + 1, sb.buf);
	sbuf_release(&sb);
	return -1;
}

static int
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static void
skip_spaces(struct parser *p)
{
	while (p->s[p->i] == ' ')
		p->i++;
}

static struct node *
new_node(struct seq *q)
{
	q->v = xreallocarray(q->v, q->n + 1, sizeof(*q->v));
	memset(&q->v[q->n], 0, sizeof(q->v[q->n]));
	return &q->v[q->n++];
}

static struct expr *parse_expr(struct parser *p);
static struct seq *parse_seq(struct parser *p, int inside);

/* A quoted string: 'x' or "x", no escapes inside. */
static char *
parse_quoted(struct parser *p)
{
	char q = p->s[p->i];
	size_t start = ++p->i;

	while (p->s[p->i] != '\0' && p->s[p->i] != q)
		p->i++;
	if (p->s[p->i] != q) {
		p->i = start - 1;
		fail(p, "unterminated string");
		return NULL;
	}
	p->i++;
	return xmemdupz(p->s + start, p->i - 1 - start);
}

static int
parse_term(struct parser *p, struct term *t)
{
	size_t start, k;
	char *name;
	long long n;

	skip_spaces(p);
	memset(t, 0, sizeof(*t));
	if (p->s[p->i] == '\'' || p->s[p->i] == '"') {
		t->kind = TERM_STRING;
		return (t->text = parse_quoted(p)) == NULL ? -1 : 0;
	}
	start = p->i;
	while (is_name_char((unsigned char)p->s[p->i]))
		p->i++;
	if (p->i == start)
		return fail(p, p->s[p->i] == '\0' ? "unexpected end, expected "
		    "a field" : "expected a field, a string or a function");
	name = xmemdupz(p->s + start, p->i - start);
	if (p->s[p->i] != '(') {
		if (!p->known(name)) {
			p->i = start;
			fail(p, "unknown field '%s'", name);
			free(name);
			return -1;
		}
		t->kind = TERM_FIELD;
		t->text = name;
		return 0;
	}
	for (k = 0; k < SS_ARRAY_SIZE(funcs); k++)
		if (strcmp(funcs[k].name, name) == 0)
			break;
	if (k == SS_ARRAY_SIZE(funcs)) {
		p->i = start;
		fail(p, "unknown function '%s'", name);
		free(name);
		return -1;
	}
	free(name);
	t->kind = TERM_FUNC;
	t->func = funcs[k].f;
	p->i++;
	if ((t->arg = parse_expr(p)) == NULL)
		return -1;
	skip_spaces(p);
	if (t->func == F_TRUNCATE) {
		if (p->s[p->i] != ',')
			return fail(p, "truncate needs a length: "
			    "truncate(x,N)");
		p->i++;
		skip_spaces(p);
		n = 0;
		start = p->i;
		while (p->s[p->i] >= '0' && p->s[p->i] <= '9' && n < 10000)
			n = n * 10 + (p->s[p->i++] - '0');
		if (p->i == start || n < 1 || n > 255) {
			p->i = start;
			return fail(p, "the length must be a number from 1 "
			    "to 255");
		}
		t->n = n;
		skip_spaces(p);
	}
	if (p->s[p->i] != ')')
		return fail(p, "expected ')'");
	p->i++;
	return 0;
}

static struct expr *
parse_expr(struct parser *p)
{
	struct expr *x = xcalloc(1, sizeof(*x));

	for (;;) {
		x->alt = xreallocarray(x->alt, x->nalt + 1, sizeof(*x->alt));
		if (parse_term(p, &x->alt[x->nalt]) == -1) {
			/* the failed term may own a name or an argument */
			x->nalt++;
			expr_free(x);
			return NULL;
		}
		x->nalt++;
		skip_spaces(p);
		if (p->s[p->i] != '|')
			return x;
		p->i++;
	}
}

static enum op
parse_op(struct parser *p)
{
	const char *s = p->s + p->i;

	if (strncmp(s, "!=", 2) == 0 || strncmp(s, "<=", 2) == 0 ||
	    strncmp(s, ">=", 2) == 0) {
		p->i += 2;
		return s[0] == '!' ? OP_NE : s[0] == '<' ? OP_LE : OP_GE;
	}
	switch (*s) {
	case '=':
		p->i++;
		return OP_EQ;
	case '<':
		p->i++;
		return OP_LT;
	case '>':
		p->i++;
		return OP_GT;
	default:
		return OP_NONE;
	}
}

/* {...} after the '{'; leaves p after the '}'. */
static int
parse_brace(struct parser *p, struct node *nd)
{
	size_t start;
	int w;

	if ((nd->expr = parse_expr(p)) == NULL)
		return -1;
	skip_spaces(p);
	if ((nd->op = parse_op(p)) != OP_NONE) {
		skip_spaces(p);
		if (p->s[p->i] == '\'' || p->s[p->i] == '"') {
			if ((nd->rhs = parse_quoted(p)) == NULL)
				return -1;
		} else {
			start = p->i;
			while (p->s[p->i] != '\0' && p->s[p->i] != ':' &&
			    p->s[p->i] != '}' && p->s[p->i] != ' ')
				p->i++;
			if (p->i == start)
				return fail(p, "expected a value to compare "
				    "with");
			nd->rhs = xmemdupz(p->s + start, p->i - start);
		}
		skip_spaces(p);
		if (p->s[p->i] != ':')
			return fail(p, "a comparison needs ':' and the text "
			    "to use");
	}
	if (p->s[p->i] == '}') {
		p->i++;
		return 0;
	}
	if (p->s[p->i] != ':')
		return fail(p, p->s[p->i] == '\0' ? "unexpected end, "
		    "expected '}'" : "expected '|', ':' or '}'");
	p->i++;
	/* a width: only digits up to the '}' */
	start = p->i;
	w = 0;
	while (p->s[p->i] >= '0' && p->s[p->i] <= '9' && w < 100)
		w = w * 10 + (p->s[p->i++] - '0');
	if (nd->op == OP_NONE && p->i > start && p->s[p->i] == '}') {
		if (w < 1 || w > 9) {
			p->i = start;
			return fail(p, "a width must be 1 to 9");
		}
		nd->width = w;
		p->i++;
		return 0;
	}
	p->i = start;
	nd->cond = 1;
	if ((nd->then = parse_seq(p, 1)) == NULL)
		return -1;
	if (p->s[p->i] == ':') {
		p->i++;
		if ((nd->els = parse_seq(p, 1)) == NULL)
			return -1;
	}
	if (p->s[p->i] != '}')
		return fail(p, "unexpected end, expected '}'");
	p->i++;
	return 0;
}

/*
 * Text and braces until the end (inside == 0) or an unescaped ':' or '}'
 * (inside == 1, the branches of a condition).
 */
static struct seq *
parse_seq(struct parser *p, int inside)
{
	struct seq *q = xcalloc(1, sizeof(*q));
	struct sbuf lit = SBUF_INIT;
	struct node *nd;
	char c;

	for (;;) {
		c = p->s[p->i];
		if (c == '\0' || (inside && (c == ':' || c == '}')) ||
		    c == '{') {
			if (lit.len > 0) {
				nd = new_node(q);
				nd->len = lit.len;
				nd->text = sbuf_detach(&lit, NULL);
			}
			if (c != '{')
				break;
			p->i++;
			nd = new_node(q);
			if (parse_brace(p, nd) == -1)
				goto bad;
			continue;
		}
		if (c == '}') {
			fail(p, "'}' without '{' (write \\} for the "
			    "character)");
			goto bad;
		}
		if (c == '\\') {
			c = p->s[p->i + 1];
			if (c == '\0') {
				fail(p, "'\\' at the end");
				goto bad;
			}
			p->i++;
		}
		sbuf_addch(&lit, c);
		p->i++;
	}
	sbuf_release(&lit);
	return q;
bad:
	sbuf_release(&lit);
	seq_free(q);
	return NULL;
}

int
ss_template_parse(const char *text, ss_template_known_fn *known,
    struct ss_template **tp, struct ss_err *e)
{
	struct parser p = { text, 0, known, e };
	struct seq *q;

	*tp = NULL;
	if (!ss_utf8_valid(text, strlen(text)))
		return ss_err_set(e, "template", 0,
		    "the template is not valid utf-8");
	if ((q = parse_seq(&p, 0)) == NULL)
		return -1;
	*tp = xcalloc(1, sizeof(**tp));
	(*tp)->top = q;
	return 0;
}

/* Rendering. */

struct render {
	ss_template_field_fn *fn;
	void *arg;
	struct ss_err *e;
};

static int eval_expr(struct render *r, const struct expr *x,
    struct sbuf *out);
static int eval_seq(struct render *r, const struct seq *q, struct sbuf *out);

/* Appends a field value: '/', NUL and invalid bytes become '_'. */
static void
add_value(struct sbuf *out, const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = ss_utf8_next(s + i, n - i, &cp);
		if (k == 0 || cp == '/' || cp == 0) {
			sbuf_addch(out, '_');
			i += k == 0 ? 1 : k;
		} else {
			sbuf_add(out, s + i, k);
			i += k;
		}
	}
}

static int
apply(struct render *r, const struct term *t, const struct sbuf *in,
    struct sbuf *out)
{
	size_t i, len, count;
	uint32_t cp;

	switch (t->func) {
	case F_LOWER:
	case F_UPPER:
		return ss_unicode_case(in->buf, in->len, t->func == F_UPPER,
		    out, r->e);
	case F_FIRST:
		return ss_unicode_first_letter(in->buf, in->len, out, r->e);
	case F_NOTHE:
		if (in->len > 4 && strncasecmp(in->buf, "the ", 4) == 0)
			sbuf_add(out, in->buf + 4, in->len - 4);
		else
			sbuf_add(out, in->buf, in->len);
		return 0;
	case F_TRUNCATE:
		for (i = 0, count = 0; i < in->len &&
		    count < (size_t)t->n; i += len, count++)
			if ((len = ss_utf8_next(in->buf + i, in->len - i,
			    &cp)) == 0)
				len = 1;
		while (i > 0 && in->buf[i - 1] == ' ')
			i--;
		sbuf_add(out, in->buf, i);
		return 0;
	}
	return 0;
}

static int
eval_term(struct render *r, const struct term *t, struct sbuf *out)
{
	struct sbuf tmp = SBUF_INIT;
	int ret = 0;

	switch (t->kind) {
	case TERM_STRING:
		sbuf_adds(out, t->text);
		break;
	case TERM_FIELD:
		if (r->fn(t->text, &tmp, r->arg) == 1)
			add_value(out, tmp.buf, tmp.len);
		break;
	case TERM_FUNC:
		if ((ret = eval_expr(r, t->arg, &tmp)) == 0)
			ret = apply(r, t, &tmp, out);
		break;
	}
	sbuf_release(&tmp);
	return ret;
}

static int
eval_expr(struct render *r, const struct expr *x, struct sbuf *out)
{
	size_t i, before = out->len;

	for (i = 0; i < x->nalt; i++) {
		if (eval_term(r, &x->alt[i], out) == -1)
			return -1;
		if (out->len > before)
			break;
	}
	return 0;
}

static int
as_number(const char *s, long long *n)
{
	struct ss_err e = SS_ERR_INIT;

	return *s != ' ' && ss_strtonum(s, -1000000000LL, 1000000000LL, n,
	    &e) == 0;
}

static int
compare(enum op op, const char *a, const char *b)
{
	long long x, y;
	int c;

	if (as_number(a, &x) && as_number(b, &y))
		c = x < y ? -1 : x > y;
	else
		c = strcmp(a, b);
	switch (op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_GT:
		return c > 0;
	case OP_LE:
		return c <= 0;
	case OP_GE:
		return c >= 0;
	case OP_NONE:
		break;
	}
	return 0;
}

static int
eval_node(struct render *r, const struct node *nd, struct sbuf *out)
{
	struct sbuf v = SBUF_INIT;
	long long n;
	int ret = -1, truth;

	if (nd->text != NULL) {
		sbuf_add(out, nd->text, nd->len);
		return 0;
	}
	if (eval_expr(r, nd->expr, &v) == -1)
		goto out;
	if (nd->cond) {
		truth = nd->op == OP_NONE ? v.len > 0 :
		    compare(nd->op, v.buf, nd->rhs);
		if (truth)
			ret = eval_seq(r, nd->then, out);
		else
			ret = nd->els ? eval_seq(r, nd->els, out) : 0;
		goto out;
	}
	if (nd->width > 0 && as_number(v.buf, &n) && n >= 0)
		sbuf_addf(out, "%0*lld", nd->width, n);
	else
		sbuf_add(out, v.buf, v.len);
	ret = 0;
out:
	sbuf_release(&v);
	return ret;
}

static int
eval_seq(struct render *r, const struct seq *q, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (eval_node(r, &q->v[i], out) == -1)
			return -1;
	return 0;
}

int
ss_template_render(const struct ss_template *t, ss_template_field_fn *fn,
    void *arg, struct sbuf *out, struct ss_err *e)
{
	struct render r = { fn, arg, e };

	return eval_seq(&r, t->top, out);
}
