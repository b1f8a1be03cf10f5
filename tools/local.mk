# tools: the mf-* commands over libmf, and their shared helpers (tool.c)
noinst_LTLIBRARIES += tools/libmftool.la
tools_libmftool_la_SOURCES = tools/tool.h tools/tool.c tools/tool-out.c tools/tool-space.c tools/tool-cols.c
# getopt_long with negative numbers as operands (mf-scan -T i32 -5)
tools_libmftool_la_SOURCES += tools/tool-getopt.h tools/tool-getopt.c

bin_PROGRAMS += tools/mf-attach tools/mf-ps tools/mf-modules tools/mf-read tools/mf-vtop \
	tools/mf-dump tools/mf-scan tools/mf-cat
tools_mf_attach_SOURCES = tools/mf-attach.c
tools_mf_attach_LDADD = tools/libmftool.la $(tool_ldadd)
tools_mf_ps_SOURCES = tools/mf-ps.c
tools_mf_ps_LDADD = tools/libmftool.la $(tool_ldadd)
tools_mf_modules_SOURCES = tools/mf-modules.c
tools_mf_modules_LDADD = tools/libmftool.la $(tool_ldadd)
tools_mf_read_SOURCES = tools/mf-read.c tools/read-out.h tools/read-out.c tools/hexdump.h tools/hexdump.c
tools_mf_read_LDADD = tools/libmftool.la $(tool_ldadd)
tools_mf_vtop_SOURCES = tools/mf-vtop.c tools/vtop-fmt.h tools/vtop-fmt.c tools/vtop-rec.c
tools_mf_vtop_LDADD = tools/libmftool.la $(tool_ldadd)

# mf-dump: snapshots of physical memory (raw, LiME, ELF, kdump) and process cores
tools_mf_dump_SOURCES = tools/mf-dump.c
tools_mf_dump_LDADD = tools/libmftool.la libcommon/snapshot/libmfsnapshot.la $(tool_ldadd)

# mf-scan: patterns, strings, typed values and rescans over physical, kernel and process memory
tools_mf_scan_SOURCES = tools/mf-scan.c tools/scan-tool.h tools/scan-opts.c tools/scan-out.c tools/scan-rescan.c \
	tools/scan-space.c tools/scan-list.c tools/scan-pack.c tools/scan-snap.c
tools_mf_scan_LDADD = tools/libmftool.la libcommon/scan/libmfscan.la $(tool_ldadd)
# --carve net: the packet carver, its pcap written atomically (snapshot/output.c) by libpcap
# (the module mf-scan-pcap.so: libcommon/scan/local.mk)
tools_mf_scan_SOURCES += tools/scan-carve.c
tools_mf_scan_LDADD += libcommon/snapshot/libmfsnapshot.la

# mf-syms: kernel and process symbols, --at, and the kernel's BTF saved atomically
bin_PROGRAMS += tools/mf-syms
tools_mf_syms_SOURCES = tools/mf-syms.c tools/syms-pdb.c tools/syms-pdb.h
tools_mf_syms_LDADD = tools/libmftool.la libcommon/snapshot/libmfsnapshot.la $(tool_ldadd) $(pluginlib)

# mf-cat: record streams in another format, reading no memory
tools_mf_cat_SOURCES = tools/mf-cat.c tools/hexdump.h tools/hexdump.c
tools_mf_cat_LDADD = tools/libmftool.la $(tool_ldadd)
