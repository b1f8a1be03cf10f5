# completions: one bash completion file; the tools' names are symlinks to it, so that
# bash-completion finds it by command name.
dist_bashcomp_DATA += completions/mftools
completions_tools = mf-attach mf-ps mf-modules mf-read mf-vtop mf-dump mf-scan mf-syms mf-cat

install-data-hook: install-completion-links
uninstall-hook: uninstall-completion-links
.PHONY: install-completion-links uninstall-completion-links
install-completion-links:
	$(MKDIR_P) '$(DESTDIR)$(bashcompdir)'
	for t in $(completions_tools); do \
	  rm -f '$(DESTDIR)$(bashcompdir)'/$$t && \
	  ln -s mftools '$(DESTDIR)$(bashcompdir)'/$$t || exit 1; \
	done
uninstall-completion-links:
	for t in $(completions_tools); do rm -f '$(DESTDIR)$(bashcompdir)'/$$t; done
