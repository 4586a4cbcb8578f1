// Package events reads neuromorphic (event-based) datasets in the files
// their authors distribute, transforms events as Tonic does, bins them into
// the [T][channels] arrays recurrent spiking networks train on (with an
// on-disk cache), and generates the randman spike-timing dataset.
//
// # Events and datasets
//
// An Event is (T µs, X, Y, P); audio sets put the channel in X. A Dataset
// has Len, Sample(i) (events, class, error) and Classes; every dataset here
// also has Sensor (the address space, Tonic's sensor_size).
//
//	OpenSHD(path), OpenSSC(path)   shd_{train,test}.h5, ssc_{train,valid,test}.h5 (or .h5.gz)
//	OpenNMNIST(dir)                N-MNIST's Train or Test folder (0/ ... 9/ of .bin files)
//	OpenGesture(dir, split)        DVS128 Gesture: AEDAT 3.1 + *_labels.csv, trials_to_<split>.txt
//	OpenGestureNPY(dir)            DVS Gesture as Tonic's preprocessed .npy layout
//	NewRandman(RandmanConfig)      randman, generated from a seed
//
// Readers are lazy: opening reads labels and indexes; Sample reads one
// recording (SHD files are memory-mapped, gzipped ones inflated once).
// Files must be regular files no larger than Opener.MaxBytes (16 GiB by
// default), so a device or a wrong path fails at once. A wrong or
// truncated file is a one-line error that names the file and the problem.
// DecodeHeidelberg, DecodeNMNIST, DecodeAEDAT3, DecodeGestureNPY,
// ParseGestureLabels and DecodeNPY read bytes already in memory.
//
// # Transforms
//
// ToFrame (by TimeWindow, EventCount, NTimeBins or NEventBins, Tonic's
// slicers), Downsample and DownsampleTo, Denoise (Tonic's filter_time), TimeJitter and
// RandomCrop (with an explicit *rand.Rand), Crop, and N-MNIST's
// FirstSaccade.
//
// ToBins is the fixed grid of recurrent SNN training: Steps bins of
// Duration/Steps µs from time 0, giving a [Steps][channels] row-major
// float32 array of counts (or 0/1 with Binary). Bin bins a whole Dataset
// into a sparse Binned set; LoadOrBin does the same through a versioned,
// checksummed cache file keyed by the source (FileKey) and the spec, so
// the second run loads instead of binning (BenchmarkBinnedLoad: an
// SHD-sized set of 8,156 samples at 100 steps, see BENCHMARKS.md).
//
// A recipe wiring SHD to a recurrent network would do:
//
//	d, err := events.OpenSHD("shd_train.h5")
//	key, err := events.FileKey("shd_train.h5")
//	spec := events.BinSpec{Steps: 100, Duration: 1_400_000} // 1.4 s, as Zenke's tutorials
//	bins, err := events.LoadOrBin("shd_train.bins", key, d, d.Sensor(), spec, nil)
//	x := bins.Sample(i, buf) // [100][700] float32, row-major
//	y := bins.Label(i)
package events
