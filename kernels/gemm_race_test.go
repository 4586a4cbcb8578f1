//go:build race

package kernels

// gemmRace reports a race-enabled build, whose tests use smaller shapes.
const gemmRace = true
