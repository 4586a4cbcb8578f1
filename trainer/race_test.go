//go:build race

package trainer

// raceEnabled reports a race-detector build, whose instrumentation
// allocates: allocation counts are not checked there.
const raceEnabled = true
