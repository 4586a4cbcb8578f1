// Package torchlayer bridges libtorch layers into braingo's tape, so that a
// model mixes libtorch's convolutions, batch norm and pooling with
// braingo's spiking layers and trains end to end with one optimizer.
//
// The bridge needs libtorch and cgo, so it exists only in builds with the
// torch tag (make torch builds bin/braingo-torch; see the README's "Hybrid
// models with libtorch"). Without the tag the package holds only Available
// (false) and ErrNoTorch, and nothing of libtorch or cgo enters the build.
//
// How a libtorch layer sits on the tape (torch builds):
//
//   - Forward copies the braingo input into a libtorch tensor (one memcpy),
//     runs the libtorch module, and copies the contiguous result out into a
//     tape buffer: no per-element reflection.
//   - Its backward step copies braingo's upstream gradient g into libtorch
//     and runs libtorch's autograd on y with gradient g (the VJP
//     sum(y·g)'s backward would give), then adds the input gradient into
//     the braingo input's Grad and each libtorch parameter's gradient into
//     the braingo parameter's Grad, zeroing libtorch's.
//   - Parameters: a Store owns the libtorch variables; Store.Params returns
//     braingo tensors whose Data is the libtorch storage itself (contiguous
//     CPU float32), so braingo's optimizers and checkpoints update and save
//     the libtorch weights in place.
//
// gotch v0.7.0 tensors have no finalizers: every libtorch tensor this
// package creates is freed by the backward step that used it, or by
// Store.Release for graphs a backward pass never reached.
package torchlayer

import "errors"

// ErrNoTorch is returned (wrapped) by whatever needs libtorch in a build
// without it.
var ErrNoTorch = errors.New("this braingo was built without libtorch: hybrid models need the torch build tag; " +
	"run `make torch` (installs Debian's libtorch-dev and libopenblas0-pthread as root, patches gotch v0.7.0, " +
	"builds bin/braingo-torch) and use bin/braingo-torch")
