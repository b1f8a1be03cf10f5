/* scan/pcap.h: the pcap file of mf-scan --carve net, written through libpcap: LINKTYPE_RAW
 * (each frame starts with its IPv4 or IPv6 header), every timestamp 0.  Implemented in
 * pcap.c, the module mf-scan-pcap.so, which the first scan_pcap_open opens (optional.c,
 * scan/module.h). */
#ifndef MF_SCAN_PCAP_H
#define MF_SCAN_PCAP_H

#include <stdint.h>
#include <stdio.h>
#include "scan/module.h"

struct scan_pcap;

/* Load the module ahead of the first open (before any output): 0, or MF_ERR_UNSUPPORTED
 * with why in errbuf ("cannot load pcap support: ..."). */
int scan_pcap_load(char *errbuf);

/* Start a pcap of frames of at most snaplen bytes on fp, which the pcap takes (closed by
 * scan_pcap_close, or here on failure).  0, or a negative MF_ERR_* with the message in
 * errbuf (libpcap's, or why the module cannot be loaded). */
int scan_pcap_open(FILE *fp, uint32_t snaplen, struct scan_pcap **out, char *errbuf);
/* One frame of len bytes (at most the snaplen). */
void scan_pcap_write(struct scan_pcap *p, const uint8_t *frame, uint32_t len);
/* Flush, close the file and free p: 0, or -1 with errno when the file could not be
 * written. */
int scan_pcap_close(struct scan_pcap *p);

/* The table mf-scan-pcap.so exports as scan_pcap_module: the functions above. */
struct scan_pcap_module {
	uint32_t abi;                 /* SCAN_MODULE_ABI */
	int (*open)(FILE *fp, uint32_t snaplen, struct scan_pcap **out, char *errbuf);
	void (*write)(struct scan_pcap *p, const uint8_t *frame, uint32_t len);
	int (*close)(struct scan_pcap *p);
};

#endif /* MF_SCAN_PCAP_H */
