package kbench

// eventEntries benchmarks the event-driven matmul and its weight gradient
// against the dense GEMMs that compute the same results.
//
// TODO: add once kernels' event-driven API is committed (kernels/events.go).
func eventEntries(cfg Config) []*entry { return nil }

// sparseEntries benchmarks the CSR and JIT-connectivity event matvecs.
//
// TODO: add once kernels/csr.go and kernels/jit.go are committed.
func sparseEntries(cfg Config) []*entry { return nil }
