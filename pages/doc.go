// Package pages gives back drainit's mapping of its own binary after a
// burst of work: start-up (a second after the last process started), and
// each metrics scrape.
//
// Starting touches code and read-only data all over the binary (every
// linked package's init, the flag parser, the first fork), and a scrape
// runs the HTTP server, client_golang and procfs. The kernel's
// fault-around maps up to 16 pages for each page touched, so nearly the
// whole file ends up in drainit's resident set and stays there: most of
// its RSS (docs/BENCHMARKS.md, section 4: RSS less RssAnon). An idle
// drainit runs a few small loops.
// Release unmaps those pages (madvise MADV_DONTNEED over the binary's
// read-only mappings); they stay in the page cache, shared and
// reclaimable, and what drainit runs later faults back in. That costs
// each scrape its page faults (docs/BENCHMARKS.md, section 5, measures
// it).
//
// Only read-only mappings of the executable are touched: their pages are
// the file's, so dropping them loses nothing. Writable ones (.data, .bss)
// hold state and are left alone.
package pages
