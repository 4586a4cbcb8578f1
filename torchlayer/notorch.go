//go:build !torch

package torchlayer

// Available reports whether this build has libtorch (the torch build tag).
const Available = false
