/* args.c: numbers ("0x1f00", "16K"), target specs ("name:default,key=value"), arch names. */
#include "mf-int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

MF_API int
mf_parse_u64(const char *s, uint64_t *out)
{
	const char *p = s;
	char *end;
	unsigned long long v;
	unsigned shift = 0;
	int base = 10;

	if (s == NULL || *s == '\0')
		return MF_ERR_ARG;
	/* strtoull accepts leading space and a minus sign; we do not */
	if (!isdigit((unsigned char)*p))
		return MF_ERR_ARG;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!isxdigit((unsigned char)*p))
			return MF_ERR_ARG;
	}
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno == ERANGE)
		return MF_ERR_RANGE;
	if (end == p)
		return MF_ERR_ARG;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: return MF_ERR_ARG;
	}
	/* accept "16KiB" and "16KB" as well as "16K" */
	if (shift && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	if (*end != '\0')
		return MF_ERR_ARG;
	if (shift && v > (UINT64_MAX >> shift))
		return MF_ERR_RANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

MF_API int
mf_parse_i64(const char *s, int64_t *out)
{
	uint64_t u;
	int neg = 0, r;

	if (s != NULL && *s == '-') {
		neg = 1;
		s++;
	}
	if ((r = mf_parse_u64(s, &u)) < 0)
		return r;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return MF_ERR_RANGE;
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > INT64_MAX)
			return MF_ERR_RANGE;
		*out = (int64_t)u;
	}
	return 0;
}

static int
args_valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* "name[:default][,key=value...]".  The default runs up to the first comma that starts a
 * "key=" pair, so that paths with commas still work when no key follows them. */
MF_API int
mf_spec_parse(const char *s, struct mf_spec **out, char *errbuf)
{
	size_t len, namelen, nkv = 0, i;
	const char *colon, *comma, *p;
	struct mf_spec *spec;
	struct mf_kv *kv;
	char *buf;

	*out = NULL;
	if (s == NULL || *s == '\0')
		return mf_error(errbuf, MF_ERR_ARG, "empty target name");
	len = strlen(s);
	namelen = strcspn(s, ":,");
	if (!args_valid_name(s, namelen))
		return mf_error(errbuf, MF_ERR_ARG, "invalid plugin name '%.*s': only a-z, 0-9, '_' and '-' are allowed",
		                (int)(namelen > 64 ? 64 : namelen), s);
	for (p = s; *p; p++)
		if (*p == ',')
			nkv++;
	spec = calloc(1, sizeof *spec + (nkv + 1) * sizeof *kv + len + 1);
	if (spec == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	kv = (struct mf_kv *)(spec + 1);
	buf = (char *)(kv + nkv + 1);
	memcpy(buf, s, len + 1);
	spec->name = buf;
	spec->args.kv = kv;
	p = buf + namelen;
	if (*p == ':' && (i = strcspn(p + 1, "=,:/"), p[1 + i] == '=' && args_valid_name(p + 1, i))) {
		/* "qemu:name=vm,qmp=/s": the colon introduces key=value pairs, no default */
		*(char *)p++ = '\0';
	} else if (*p == ':') {
		*(char *)p++ = '\0';
		/* the default ends at ",key=" */
		comma = p;
		for (;;) {
			comma = strchr(comma, ',');
			if (comma == NULL)
				break;
			colon = comma + 1;
			i = strcspn(colon, "=,");
			if (colon[i] == '=' && args_valid_name(colon, i))
				break;
			comma++;
		}
		spec->args.def = p;
		if (comma == NULL)
			return *out = spec, 0;
		*(char *)comma = '\0';
		p = comma + 1;
	} else if (*p == ',') {
		*(char *)p++ = '\0';
	} else {
		return *out = spec, 0;
	}
	/* key=value pairs */
	while (*p) {
		char *eq, *end = strchr(p, ',');

		if (end)
			*end = '\0';
		eq = strchr(p, '=');
		if (eq == NULL || !args_valid_name(p, (size_t)(eq - p))) {
			mf_error(errbuf, MF_ERR_ARG, "invalid argument '%s' for %s: expected key=value", p, spec->name);
			free(spec);
			return MF_ERR_ARG;
		}
		*eq = '\0';
		for (i = 0; i < spec->args.n; i++)
			if (strcmp(kv[i].key, p) == 0) {
				mf_error(errbuf, MF_ERR_ARG, "argument '%s' given twice for %s", p, spec->name);
				free(spec);
				return MF_ERR_ARG;
			}
		kv[spec->args.n].key = p;
		kv[spec->args.n].value = eq + 1;
		spec->args.n++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	*out = spec;
	return 0;
}

MF_API void
mf_spec_free(struct mf_spec *spec)
{
	free(spec);
}

MF_API const char *
mf_args_get(const struct mf_args *args, const char *key)
{
	size_t i;

	if (args == NULL)
		return NULL;
	for (i = 0; i < args->n; i++)
		if (strcmp(args->kv[i].key, key) == 0)
			return args->kv[i].value;
	return NULL;
}

static const char *const args_arch_names[] = {
	[MF_ARCH_UNKNOWN] = "unknown",
	[MF_ARCH_X86_32] = "x86",
	[MF_ARCH_X86_PAE] = "x86-pae",
	[MF_ARCH_X86_64] = "x86_64",
	[MF_ARCH_X86_64_LA57] = "x86_64-la57",
	[MF_ARCH_AARCH64] = "aarch64",
	[MF_ARCH_RISCV_SV39] = "riscv-sv39",
	[MF_ARCH_RISCV_SV48] = "riscv-sv48",
};

MF_API const char *
mf_arch_name(uint32_t arch)
{
	if (arch >= mf_countof(args_arch_names))
		return "unknown";
	return args_arch_names[arch];
}

MF_API int
mf_arch_parse(const char *s, uint32_t *arch)
{
	static const struct { const char *alias; uint32_t arch; } aliases[] = {
		{ "i386", MF_ARCH_X86_32 }, { "x86_32", MF_ARCH_X86_32 }, { "pae", MF_ARCH_X86_PAE },
		{ "x64", MF_ARCH_X86_64 }, { "amd64", MF_ARCH_X86_64 }, { "la57", MF_ARCH_X86_64_LA57 },
		{ "arm64", MF_ARCH_AARCH64 }, { "sv39", MF_ARCH_RISCV_SV39 }, { "sv48", MF_ARCH_RISCV_SV48 },
	};
	size_t i;

	for (i = 1; i < mf_countof(args_arch_names); i++)
		if (strcmp(s, args_arch_names[i]) == 0)
			return *arch = (uint32_t)i, 0;
	for (i = 0; i < mf_countof(aliases); i++)
		if (strcmp(s, aliases[i].alias) == 0)
			return *arch = aliases[i].arch, 0;
	return MF_ERR_ARG;
}
