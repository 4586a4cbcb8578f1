// Package eval measures, tabulates and plots the results of training runs:
// accuracy, confusion matrices, firing-rate statistics, a per-epoch metrics
// log in JSON lines, result tables and PNG figures.
//
// It sits above the trainers (the layer table in layers_test.go). Most of it
// takes plain Go slices and structs, so any training loop, a simulation or
// a script reading an old run directory can use it; the psychometric
// curves and trial plots read package trainer's trial records.
//
// # Conventions
//
//   - Accuracies are fractions in [0, 1]; tables and plots show percent.
//   - A metric that was not measured is NaN (see [NewRecord]); the metrics
//     log stores it as null, tables show "-", plots leave the point out.
//   - A confusion matrix counts true classes in rows and predicted classes
//     in columns (scikit-learn's layout).
//   - A firing rate is spikes per neuron per time step; divide by the step
//     length for Hz.
//
// # Tables
//
// [WriteEpochTable], [WriteConfusionTable] and [WriteRateTable] render
// results with tablewriter to any io.Writer. The output depends only on the
// input (columns in a fixed order, extra figures sorted by name), so tests
// can compare it with golden files.
//
// # Files
//
// Functions that take a directory write fixed file names into it:
//
//	metrics.jsonl  [AppendRecord]: one [EpochRecord] per line, appended
//	curves.png     [WriteCurves]: loss (left) and accuracy (right) over epochs
//	raster.png     [WriteRaster]: spike rasters, one panel per sample or layer
//	confusion.png  [WriteConfusion]: confusion-matrix heat map with counts
//
// [WriteLines] takes a full path, since the generic line plot serves many
// figures (psychometric curves, firing rates over time, target and output
// traces). Every PNG is written to a temporary file in the same directory and
// renamed into place, so a reader never sees half an image.
package eval
