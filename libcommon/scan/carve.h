/* scan/carve.h: the network packet carver behind mf-scan --carve net: finds IPv4 and IPv6
 * packets in a buffer of memory, bare or in an Ethernet II frame, by their headers (as
 * bulk_extractor's net scanner does).  Every length is checked against the buffer: a
 * packet that does not lie whole in it is not one.  Implemented in carve.c.
 *
 * What is a packet:
 * - IPv4: version 4, header length 20-60 bytes, total length at least the header (plus
 *   the transport header when it is the first fragment), the reserved flag clear, TTL not
 *   0, a protocol of the usual ones (ICMP, IGMP, TCP, UDP, IPv6-in-IPv4, GRE, ESP, AH,
 *   SCTP) and a valid header checksum.
 * - IPv6: version 6, hop limit not 0, the payload is TCP, UDP or ICMPv6 (after at most
 *   CARVE_V6_EXT_MAX hop-by-hop, routing and destination-option headers), with a transport
 *   checksum that is valid or an offloaded one (IPv6 has no header checksum: the transport
 *   checksum is what tells a packet from chance).
 * - An Ethernet II frame: a packet whose 14 bytes before it end in ethertype 0x0800 (IPv4)
 *   or 0x86dd (IPv6).
 * The transport checksum (TCP, UDP, ICMP, ICMPv6) is checked when the whole segment is
 * there and the packet is not a fragment: CARVE_CSUM_PARTIAL is an offloaded one (the
 * field holds the pseudo-header sum only, as Linux leaves it for loopback and for NICs that
 * compute it: CHECKSUM_PARTIAL). */
#ifndef MF_SCAN_CARVE_H
#define MF_SCAN_CARVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CARVE_ETHER_LEN 14u
#define CARVE_V6_EXT_MAX 8u
/* The longest frame: an Ethernet header, an IPv6 header and a 64 KiB payload. */
#define CARVE_FRAME_MAX (CARVE_ETHER_LEN + 40u + 65535u)

enum carve_csum {
	CARVE_CSUM_OK,        /* valid */
	CARVE_CSUM_BAD,       /* wrong */
	CARVE_CSUM_PARTIAL,   /* offloaded: the pseudo-header sum only */
	CARVE_CSUM_NONE,      /* UDP over IPv4 without a checksum (0) */
	CARVE_CSUM_UNCHECKED, /* a fragment, or a protocol without one we check */
};

struct carve_pkt {
	size_t off;           /* the frame (or bare packet) in the buffer */
	size_t len;           /* its length: Ethernet header + IP total length */
	size_t ip_off;        /* the IP header in the buffer (off + 14 for Ethernet) */
	bool ether;           /* in an Ethernet II frame: mac_dst, mac_src hold its addresses */
	uint8_t mac_dst[6], mac_src[6];
	uint8_t ipver;        /* 4 or 6 */
	uint8_t proto;        /* IPv4 protocol; IPv6: the transport's next-header value */
	uint8_t src[16], dst[16];  /* IPv4: the first 4 bytes */
	bool ports;           /* TCP or UDP: sport, dport */
	uint16_t sport, dport;
	bool icmp;            /* ICMP or ICMPv6: icmp_type, icmp_code */
	uint8_t icmp_type, icmp_code;
	bool fragment;        /* an IPv4 fragment (more fragments, or an offset) */
	enum carve_csum csum; /* the transport checksum */
};

/* The next packet whose IP header starts in [*pos, own) of buf[0, n) (own <= n; a frame's
 * Ethernet header may lie before *pos, packets must end by n).  true with *pkt filled and
 * *pos moved past it (past the whole packet when its transport checksum holds, else past
 * its IP header, so that a header whose payload was overwritten hides nothing); false when
 * there is none (then *pos = own). */
bool carve_next(const uint8_t *buf, size_t n, size_t own, size_t *pos, struct carve_pkt *pkt);

/* "ok", "bad", "partial", "none", "unchecked". */
const char *carve_csum_name(enum carve_csum c);
/* "tcp", "udp", "icmp", "icmpv6", "igmp", "gre", ...; NULL for a number without a name. */
const char *carve_proto_name(uint8_t proto);

#endif /* MF_SCAN_CARVE_H */
