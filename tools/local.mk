# tools: the mf-* commands over libmf, and their shared helpers (tool.c)
noinst_LTLIBRARIES += tools/libmftool.la
tools_libmftool_la_SOURCES = tools/tool.h tools/tool.c

bin_PROGRAMS += tools/mf-attach tools/mf-ps tools/mf-modules tools/mf-read
tools_mf_attach_SOURCES = tools/mf-attach.c
tools_mf_attach_LDADD = tools/libmftool.la $(tool_ldadd)
tools_mf_ps_SOURCES = tools/mf-ps.c
tools_mf_ps_LDADD = tools/libmftool.la $(tool_ldadd)
tools_mf_modules_SOURCES = tools/mf-modules.c
tools_mf_modules_LDADD = tools/libmftool.la $(tool_ldadd)
tools_mf_read_SOURCES = tools/mf-read.c
tools_mf_read_LDADD = tools/libmftool.la $(tool_ldadd)
