//go:build torch

package main

import "testing"

// The torch recipes' fixtures (make test-torch).
func TestFixturesTorch(t *testing.T) {
	checkFixtures(t, torchFixtures)
}
