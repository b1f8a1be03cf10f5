/* scan/module.h: mf-scan's parts that bring large libraries with them, each a private
 * loadable module, opened the first time a scan needs it: YARA (mf-scan-yara.so: libyara,
 * with libcrypto and libmagic), many patterns at once (mf-scan-hs.so: Hyperscan, with
 * libstdc++) and the pcap writer (mf-scan-pcap.so: libpcap, with libdbus and libsystemd).
 * Linked into mf-scan they cost every run about 3 ms of loading and relocation (of the
 * 4.5 ms of `mf-scan --version`); a scan that needs none of them now loads none.
 *
 * A module NAME is the file mf-scan-NAME.so in $MF_MODULE_DIR when that is set (an absolute
 * directory: the build tree's libcommon/scan/.libs in the tests), else in the modules
 * directory under the plugin install directory (mf_plugin_dir()/modules).  It exports one
 * object, scan_NAME_module: a table of its functions whose first member is a uint32_t,
 * SCAN_MODULE_ABI; a module whose table starts with another number is refused.  The front
 * ends that load them and call through the tables are in optional.c; module.c loads. */
#ifndef MF_SCAN_MODULE_H
#define MF_SCAN_MODULE_H

#define SCAN_MODULE_ABI 1u            /* bump when any module's table changes */
#define SCAN_MODULE_SUBDIR "modules"

/* The table of module NAME (the front ends keep it: one load each); `what` names it in
 * messages ("YARA support").  NULL with the message in errbuf: "cannot load YARA support:
 * DLERROR" (the module is missing, or its libraries are).  Call it before the threads that
 * use the table start. */
const void *scan_module_load(const char *name, const char *what, char *errbuf);

#endif /* MF_SCAN_MODULE_H */
