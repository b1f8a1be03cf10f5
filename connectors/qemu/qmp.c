/* qmp.c: a minimal QMP client: connect to QEMU's monitor socket, negotiate, run HMP
 * commands (info mtree -f, info registers, gpa2hva) and read their text.  Used only while
 * opening: QEMU serves one QMP client at a time. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "qemu.h"

void
qemu_qmp_close(struct qemu_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->size = 0;
}

/* Connect to the unix socket at path (long paths through /proc/self/fd/N/NAME). */
int
qemu_qmp_connect(struct qemu_qmp *q, const char *path, char *errbuf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int dfd = -1, r;

	q->fd = -1;
	q->buf = NULL;
	q->len = q->size = 0;
	q->path = path;
	if (strlen(path) >= sizeof sa.sun_path) {
		char dir[PATH_MAX];
		const char *slash = strrchr(path, '/');

		if (slash == NULL || (size_t)(slash - path) >= sizeof dir)
			return plib_error(errbuf, MF_ERR_ARG, "QMP socket path too long: %.100s...", path);
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		dfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return plib_error_errno(errbuf, MF_ERR_IO, errno, "cannot open directory of QMP socket %s", path);
		r = snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dfd, slash + 1);
		if (r < 0 || (size_t)r >= sizeof sa.sun_path) {
			close(dfd);
			return plib_error(errbuf, MF_ERR_ARG, "QMP socket name too long: %.100s", slash + 1);
		}
	} else {
		memcpy(sa.sun_path, path, strlen(path) + 1);
	}
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0) {
		r = errno;
		if (dfd >= 0)
			close(dfd);
		return plib_error_errno(errbuf, MF_ERR_IO, r, "cannot create a socket");
	}
	r = connect(q->fd, (struct sockaddr *)&sa, sizeof sa);
	if (r < 0) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		close(q->fd);
		q->fd = -1;
		return plib_error_errno(errbuf, e == ENOENT ? MF_ERR_NOTFOUND : e == EACCES ? MF_ERR_PERM : MF_ERR_IO, e,
		                        "cannot connect to QMP socket %s", path);
	}
	if (dfd >= 0)
		close(dfd);
	return 0;
}

/* Next JSON message (one per line); NULL with the error in errbuf. */
static json_t *
qemu_qmp_recv(struct qemu_qmp *q, char *errbuf)
{
	for (;;) {
		char *nl = q->buf ? memchr(q->buf, '\n', q->len) : NULL;
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		ssize_t n;
		int pr;

		if (nl != NULL) {
			size_t ll = (size_t)(nl - q->buf) + 1;
			json_error_t je;
			json_t *j = json_loadb(q->buf, ll, JSON_DISABLE_EOF_CHECK, &je);

			memmove(q->buf, q->buf + ll, q->len - ll);
			q->len -= ll;
			if (j == NULL || !json_is_object(j)) {
				json_decref(j);
				plib_error(errbuf, MF_ERR_FORMAT, "QMP socket %s: not a JSON object: %s", q->path,
				           je.text);
				return NULL;
			}
			return j;
		}
		if (q->len >= QEMU_REPLY_MAX) {
			plib_error(errbuf, MF_ERR_LIMIT, "QMP socket %s: reply longer than %u bytes", q->path,
			           QEMU_REPLY_MAX);
			return NULL;
		}
		if (q->size - q->len < 65536) {
			size_t ns = q->size ? q->size * 2 : 131072;
			char *nb = realloc(q->buf, ns);

			if (nb == NULL) {
				plib_error(errbuf, MF_ERR_NOMEM, "QMP reply: out of memory");
				return NULL;
			}
			q->buf = nb;
			q->size = ns;
		}
		pr = poll(&pfd, 1, QEMU_QMP_TIMEOUT_MS);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			plib_error(errbuf, MF_ERR_IO, "QMP socket %s: no answer within %d s (another client "
			           "connected?)", q->path, QEMU_QMP_TIMEOUT_MS / 1000);
			return NULL;
		}
		n = recv(q->fd, q->buf + q->len, q->size - q->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			plib_error(errbuf, MF_ERR_IO, "QMP socket %s: %s", q->path,
			           n == 0 ? "connection closed by QEMU" : strerror(errno));
			return NULL;
		}
		q->len += (size_t)n;
	}
}

/* Send one command; the reply's "return" (a new reference), NULL on error. */
static json_t *
qemu_qmp_cmd(struct qemu_qmp *q, json_t *cmd, char *errbuf)
{
	char *text = json_dumps(cmd, JSON_COMPACT), what[64];
	size_t len, off = 0;

	/* the command's name for messages, kept past cmd */
	snprintf(what, sizeof what, "%s", json_string_value(json_object_get(cmd, "execute")) ?: "?");
	json_decref(cmd);
	if (text == NULL) {
		plib_error(errbuf, MF_ERR_NOMEM, "QMP command: out of memory");
		return NULL;
	}
	len = strlen(text);
	text[len++] = '\n';   /* json_dumps leaves room for the NUL we replace */
	while (off < len) {
		ssize_t n = send(q->fd, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			plib_error_errno(errbuf, MF_ERR_IO, errno, "QMP socket %s: cannot send", q->path);
			free(text);
			return NULL;
		}
		off += (size_t)n;
	}
	free(text);
	for (;;) {
		json_t *m = qemu_qmp_recv(q, errbuf), *ret, *err;

		if (m == NULL)
			return NULL;
		if ((ret = json_object_get(m, "return")) != NULL) {
			json_incref(ret);
			json_decref(m);
			return ret;
		}
		if ((err = json_object_get(m, "error")) != NULL) {
			plib_error(errbuf, MF_ERR_IO, "QMP command %s failed: %s: %s", what,
			           json_string_value(json_object_get(err, "class")) ?: "?",
			           json_string_value(json_object_get(err, "desc")) ?: "?");
			json_decref(m);
			return NULL;
		}
		json_decref(m);   /* an event */
	}
}

int
qemu_qmp_start(struct qemu_qmp *q, char *errbuf)
{
	json_t *g = qemu_qmp_recv(q, errbuf), *r;

	if (g == NULL)
		return MF_ERR_IO;
	if (json_object_get(g, "QMP") == NULL) {
		json_decref(g);
		return plib_error(errbuf, MF_ERR_FORMAT, "%s is not a QMP socket (no greeting)", q->path);
	}
	json_decref(g);
	r = qemu_qmp_cmd(q, json_pack("{s:s}", "execute", "qmp_capabilities"), errbuf);
	if (r == NULL)
		return MF_ERR_IO;
	json_decref(r);
	return 0;
}

char *
qemu_hmp(struct qemu_qmp *q, const char *cmdline, char *errbuf)
{
	json_t *r = qemu_qmp_cmd(q, json_pack("{s:s,s:{s:s}}", "execute", "human-monitor-command",
	                                      "arguments", "command-line", cmdline), errbuf);
	char *s;

	if (r == NULL)
		return NULL;
	if (!json_is_string(r)) {
		json_decref(r);
		plib_error(errbuf, MF_ERR_FORMAT, "QMP: human-monitor-command '%s' did not return text", cmdline);
		return NULL;
	}
	s = strdup(json_string_value(r));
	json_decref(r);
	if (s == NULL)
		plib_error(errbuf, MF_ERR_NOMEM, "QMP reply: out of memory");
	return s;
}

int
qemu_gpa2hva(struct qemu_qmp *q, uint64_t gpa, const char *want, uint64_t *hva, char *errbuf)
{
	char cmd[64], name[64];
	unsigned long long a, h;
	char *t;
	int ok;

	snprintf(cmd, sizeof cmd, "gpa2hva 0x%" PRIx64, gpa);
	t = qemu_hmp(q, cmd, errbuf);
	if (t == NULL)
		return MF_ERR_IO;
	ok = sscanf(t, "Host virtual address for %llx (%63[^)]) is %llx", &a, name, &h) == 3 && a == gpa;
	if (!ok) {
		size_t l = strcspn(t, "\r\n");

		plib_error(errbuf, MF_ERR_FORMAT, "QMP: gpa2hva 0x%" PRIx64 " answered '%.*s'", gpa,
		           (int)(l > 120 ? 120 : l), t);
		free(t);
		return MF_ERR_FORMAT;
	}
	free(t);
	if (strcmp(name, want) != 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "QMP: gpa2hva 0x%" PRIx64 " is in %s, info mtree "
		                  "said %s", gpa, name, want);
	*hva = h;
	return 0;
}

