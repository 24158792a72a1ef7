"""Background jobs with progress: long work (voucher PDFs, bank-file imports, big CSV exports)
leaves the request, runs in a worker, and reports how far it got. See ``docs/architecture.md``
(Background jobs and progress)."""
