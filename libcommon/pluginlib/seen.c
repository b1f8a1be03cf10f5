/* pluginlib/seen.c: a set of addresses (the objects a walk has visited), so that a list or
 * tree that loops back in hostile memory ends the walk instead of repeating it (seen.h). */
#include "config.h"

#include <stdlib.h>

#include "pluginlib/seen.h"

int
seen_add(struct seen *s, uint64_t a)
{
	size_t i;

	if (s->n * 2 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024, j;
		uint64_t *ns = calloc(ncap, sizeof *ns);

		if (ns == NULL)
			return -1;
		for (j = 0; j < s->cap; j++)
			if (s->slot[j] != 0) {
				for (i = (s->slot[j] >> 4) * 0x9e3779b97f4a7c15ull & (ncap - 1); ns[i] != 0; i = (i + 1) & (ncap - 1))
					;
				ns[i] = s->slot[j];
			}
		free(s->slot);
		s->slot = ns;
		s->cap = ncap;
	}
	for (i = (a >> 4) * 0x9e3779b97f4a7c15ull & (s->cap - 1); s->slot[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == a)
			return 0;
	s->slot[i] = a;
	s->n++;
	return 1;
}

void
seen_free(struct seen *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}
