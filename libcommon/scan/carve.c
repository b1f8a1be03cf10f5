/* carve.c: the packet carver (see carve.h): a vector filter for the first byte of an IP
 * header (version 4 or 6), then the header checks, the checksums and the Ethernet header
 * before it. */
#include "config.h"
#include "scan/carve.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum {
	CARVE_ICMP = 1,
	CARVE_IGMP = 2,
	CARVE_TCP = 6,
	CARVE_UDP = 17,
	CARVE_IPV6 = 41,
	CARVE_GRE = 47,
	CARVE_ESP = 50,
	CARVE_AH = 51,
	CARVE_ICMPV6 = 58,
	CARVE_SCTP = 132,
};

static uint16_t
carve_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t
carve_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* s plus the one's complement sum of n bytes as big-endian 16-bit words (an odd last byte
 * padded with zero).  The sum does not depend on byte order (RFC 1071): 32-bit words in
 * the machine's order are added, folded, and swapped to big-endian at the end. */
static uint64_t
carve_sum(const uint8_t *p, size_t n, uint64_t s)
{
	uint64_t w = 0;
	uint16_t f;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		uint32_t v;

		memcpy(&v, p + i, 4);
		w += v;
	}
	for (; i + 2 <= n; i += 2) {
		uint16_t v;

		memcpy(&v, p + i, 2);
		w += v;
	}
	f = carve_fold(w);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f = (uint16_t)(f >> 8 | f << 8);
#endif
	s += f;
	if (n & 1)
		s += (uint64_t)p[n - 1] << 8;
	return s;
}

const char *
carve_csum_name(enum carve_csum c)
{
	static const char *const names[] = { "ok", "bad", "partial", "none", "unchecked" };

	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "unchecked";
}

const char *
carve_proto_name(uint8_t proto)
{
	switch (proto) {
	case CARVE_ICMP: return "icmp";
	case CARVE_IGMP: return "igmp";
	case CARVE_TCP: return "tcp";
	case CARVE_UDP: return "udp";
	case CARVE_IPV6: return "ipv6";
	case CARVE_GRE: return "gre";
	case CARVE_ESP: return "esp";
	case CARVE_AH: return "ah";
	case CARVE_ICMPV6: return "icmpv6";
	case CARVE_SCTP: return "sctp";
	default: return NULL;
	}
}

/* The transport's header fields and checksum.  l4: the segment of l4len bytes; pseudo: the
 * pseudo-header sum (addresses, protocol, length), unused for ICMP over IPv4.  A header
 * that does not fit its segment is a bad checksum (the IP header holds, the rest does not).
 * later: an IPv4 fragment other than the first. */
static void
carve_transport(struct carve_pkt *p, const uint8_t *l4, size_t l4len, uint64_t pseudo, bool later)
{
	uint16_t field, sum;

	p->csum = CARVE_CSUM_UNCHECKED;
	if (later)
		return;       /* a later fragment: no transport header */
	switch (p->proto) {
	case CARVE_TCP:
	case CARVE_UDP:
		if (l4len < 4)
			return;
		p->ports = true;
		p->sport = carve_be16(l4);
		p->dport = carve_be16(l4 + 2);
		if (p->fragment)
			return;
		if (p->proto == CARVE_UDP ? l4len < 8 || carve_be16(l4 + 4) != l4len
		                          : l4len < 20 || (size_t)(l4[12] >> 4) * 4 < 20 || (size_t)(l4[12] >> 4) * 4 > l4len) {
			p->csum = CARVE_CSUM_BAD;
			return;
		}
		field = carve_be16(l4 + (p->proto == CARVE_UDP ? 6 : 16));
		if (p->proto == CARVE_UDP && p->ipver == 4 && field == 0) {
			p->csum = CARVE_CSUM_NONE;
			return;
		}
		sum = carve_fold(carve_sum(l4, l4len, pseudo));
		if (sum == 0xffff)
			p->csum = CARVE_CSUM_OK;
		else if (field == carve_fold(pseudo))
			p->csum = CARVE_CSUM_PARTIAL;
		else
			p->csum = CARVE_CSUM_BAD;
		return;
	case CARVE_ICMP:
	case CARVE_ICMPV6:
		if (l4len < 4)
			return;
		p->icmp = true;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		if (p->fragment)
			return;
		sum = carve_fold(carve_sum(l4, l4len, p->proto == CARVE_ICMP ? 0 : pseudo));
		p->csum = sum == 0xffff ? CARVE_CSUM_OK : CARVE_CSUM_BAD;
		return;
	default:
		return;
	}
}

static bool
carve_v4_proto(uint8_t proto)
{
	return proto != CARVE_ICMPV6 && carve_proto_name(proto) != NULL;
}

/* An IPv4 packet at buf[i] (buf[i] >> 4 == 4). */
static bool
carve_v4(const uint8_t *buf, size_t n, size_t i, struct carve_pkt *p)
{
	const uint8_t *h = buf + i;
	size_t ihl, tl, min;
	uint64_t pseudo;

	if (n - i < 20)
		return false;
	ihl = (size_t)(h[0] & 0xf) * 4;
	tl = carve_be16(h + 2);
	if (ihl < 20 || tl < ihl || tl > n - i || (h[6] & 0x80) != 0 || h[8] == 0 || !carve_v4_proto(h[9]))
		return false;
	memset(p, 0, sizeof *p);
	p->fragment = (h[6] & 0x20) != 0 || (carve_be16(h + 6) & 0x1fff) != 0;
	min = h[9] == CARVE_TCP ? 20 : h[9] == CARVE_UDP || h[9] == CARVE_ICMP ? 8 : 0;
	if (!p->fragment && tl - ihl < min)
		return false;
	if (carve_fold(carve_sum(h, ihl, 0)) != 0xffff)
		return false;
	p->ipver = 4;
	p->proto = h[9];
	p->ip_off = p->off = i;
	p->len = tl;
	memcpy(p->src, h + 12, 4);
	memcpy(p->dst, h + 16, 4);
	pseudo = carve_sum(h + 12, 8, 0) + p->proto + (tl - ihl);
	carve_transport(p, h + ihl, tl - ihl, pseudo, (carve_be16(h + 6) & 0x1fff) != 0);
	return true;
}

/* The ICMPv6 types and codes of RFC 4443, 4861 and 3810.  Echoes take any code: Linux
 * answers them whatever it is, and busybox's ping -p fills the code with its pattern. */
static bool
carve_icmpv6_type(uint8_t t, uint8_t code)
{
	switch (t) {
	case 1: return code <= 7;
	case 3: return code <= 1;
	case 4: return code <= 3;
	case 128: case 129: return true;
	case 2:
	case 130: case 131: case 132: case 133: case 134: case 135: case 136: case 137:
	case 143:
		return code == 0;
	default:
		return false;
	}
}

/* An IPv6 packet at buf[i] (buf[i] >> 4 == 6): accepted only with a transport checksum
 * that holds (or an offloaded one). */
static bool
carve_v6(const uint8_t *buf, size_t n, size_t i, struct carve_pkt *p)
{
	const uint8_t *h = buf + i, *l4;
	size_t plen, off = 40, l4len;
	uint8_t nh;
	unsigned k;

	if (n - i < 48)
		return false;
	plen = carve_be16(h + 4);
	if (plen < 8 || plen > n - i - 40 || h[7] == 0)
		return false;
	nh = h[6];
	for (k = 0; k < CARVE_V6_EXT_MAX && (nh == 0 || nh == 43 || nh == 60); k++) {
		if (off + 8 > 40 + plen)
			return false;
		nh = h[off];
		off += ((size_t)h[off + 1] + 1) * 8;
	}
	if (off + 8 > 40 + plen)
		return false;
	l4 = h + off;
	l4len = 40 + plen - off;
	/* cheap checks before the sum over the whole payload */
	if (nh == CARVE_UDP) {
		if (carve_be16(l4 + 4) != l4len)
			return false;
	} else if (nh == CARVE_TCP) {
		/* without URG the urgent pointer is 0 */
		if (l4len < 20 || (l4[12] >> 4) < 5 || (size_t)(l4[12] >> 4) * 4 > l4len || (l4[12] & 0x0e) != 0 ||
		    ((l4[13] & 0x20) == 0 && (l4[18] | l4[19]) != 0))
			return false;
	} else if (nh != CARVE_ICMPV6 || !carve_icmpv6_type(l4[0], l4[1])) {
		return false;
	}
	memset(p, 0, sizeof *p);
	p->ipver = 6;
	p->proto = nh;
	p->ip_off = p->off = i;
	p->len = 40 + plen;
	memcpy(p->src, h + 8, 16);
	memcpy(p->dst, h + 24, 16);
	carve_transport(p, l4, l4len, carve_sum(h + 8, 32, 0) + nh + l4len, false);
	return p->csum == CARVE_CSUM_OK || p->csum == CARVE_CSUM_PARTIAL;
}

/* The first byte of an IPv4 header with a length of 20 or more (0x45-0x4f), or of an IPv6
 * one (0x60-0x6f). */
static bool
carve_first_byte(uint8_t b)
{
	return (b & 0xf0) == 0x60 || ((b & 0xf0) == 0x40 && (b & 0x0f) >= 5);
}

/* The first offset i + k whose bit k is set in m and whose byte passes carve_first_byte, or
 * SIZE_MAX. */
static size_t
carve_in_mask(const uint8_t *b, size_t i, uint64_t m)
{
	while (m != 0) {
		size_t k = i + (size_t)__builtin_ctzll(m);

		if (carve_first_byte(b[k]))
			return k;
		m &= m - 1;
	}
	return SIZE_MAX;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CARVE_AVX2 1

/* carve_candidate with AVX2: 64 bytes a step through (b & 0xd0) == 0x40 (0x4? or 0x6?),
 * then the exact test on the step that has one. */
__attribute__((target("avx2"))) static size_t
carve_candidate_avx2(const uint8_t *b, size_t i, size_t own)
{
	const __m256i mask = _mm256_set1_epi8((char)0xd0), want = _mm256_set1_epi8(0x40);

	while (own - i >= 64) {
		__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(b + i + 32));
		__m256i m0 = _mm256_cmpeq_epi8(_mm256_and_si256(v0, mask), want);
		__m256i m1 = _mm256_cmpeq_epi8(_mm256_and_si256(v1, mask), want);

		if (!_mm256_testz_si256(_mm256_or_si256(m0, m1), _mm256_or_si256(m0, m1))) {
			uint64_t m = (uint32_t)_mm256_movemask_epi8(m0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(m1) << 32;
			size_t k = carve_in_mask(b, i, m);

			if (k != SIZE_MAX)
				return k;
		}
		i += 64;
	}
	while (i < own && !carve_first_byte(b[i]))
		i++;
	return i;
}
#endif

/* The first offset in [i, own) whose byte may start an IP header (carve_first_byte). */
static size_t
carve_candidate(const uint8_t *b, size_t i, size_t own)
{
#ifdef CARVE_AVX2
	static int avx2 = -1;

	if (avx2 < 0)
		avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	if (avx2)
		return carve_candidate_avx2(b, i, own);
#endif
#ifdef __SSE2__
	const __m128i mask = _mm_set1_epi8((char)0xd0), want = _mm_set1_epi8(0x40);

	while (own - i >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		size_t k = carve_in_mask(b, i, (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(v, mask), want)));

		if (k != SIZE_MAX)
			return k;
		i += 16;
	}
#endif
	while (i < own && !carve_first_byte(b[i]))
		i++;
	return i;
}

bool
carve_next(const uint8_t *buf, size_t n, size_t own, size_t *pos, struct carve_pkt *pkt)
{
	size_t i = *pos;

	if (own > n)
		own = n;
	while (i < own) {
		bool v4;

		i = carve_candidate(buf, i, own);
		if (i >= own)
			break;
		v4 = (buf[i] >> 4) == 4;
		if (!(v4 ? carve_v4(buf, n, i, pkt) : carve_v6(buf, n, i, pkt))) {
			i++;
			continue;
		}
		if (i >= CARVE_ETHER_LEN && carve_be16(buf + i - 2) == (v4 ? 0x0800 : 0x86dd)) {
			pkt->ether = true;
			pkt->off = i - CARVE_ETHER_LEN;
			pkt->len += CARVE_ETHER_LEN;
			memcpy(pkt->mac_dst, buf + pkt->off, 6);
			memcpy(pkt->mac_src, buf + pkt->off + 6, 6);
		}
		if (pkt->csum == CARVE_CSUM_OK || pkt->csum == CARVE_CSUM_PARTIAL || pkt->csum == CARVE_CSUM_NONE)
			*pos = pkt->off + pkt->len;
		else
			*pos = i + (v4 ? (size_t)(buf[i] & 0xf) * 4 : 40);
		return true;
	}
	*pos = own;
	return false;
}
