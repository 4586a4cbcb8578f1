package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/braingo/braingo/datasets/events"
	"github.com/braingo/braingo/eval"
	"github.com/braingo/braingo/internal/cli"
	"github.com/braingo/braingo/kinds"
	"github.com/braingo/braingo/recipes"
)

func init() {
	register(&cli.Command{
		Name:  "data",
		Args:  "info DIR | export RECIPE --out DIR | fetch shd|ssc DIR",
		Short: "describe event data sets in a folder, export a recipe's binned data, or download SHD/SSC",
		Long: `Data info DIR describes the event data sets a folder holds: the Spiking
Heidelberg Digits and Spiking Speech Commands HDF5 files (shd_train.h5,
shd_test.h5, ssc_train.h5, ssc_valid.h5, ssc_test.h5, each possibly .h5.gz)
and N-MNIST's Train and Test folders (or a folder of digit folders 0 to 9):
for each, the samples, classes, input channels, the duration (the latest
event; N-MNIST: of up to 500 recordings spread over the split, marked ~) and
the mean events per sample. With --json one object per data set.

Data export RECIPE writes a seq-classify recipe's binned data, as its run
would train on it (--set applies), to NumPy files in --out: x_train.npy and
x_test.npy ([samples][steps][channels], uint8 counts), y_train.npy and
y_test.npy (int64 classes), for baselines in other tools.

Data fetch shd DIR (or ssc) downloads the data set's .h5.gz files from
their published location (--base-url, default https://zenkelab.org/datasets)
into DIR, each checked against the md5sums.txt published beside them. An
interrupted download leaves NAME.part, which the next run resumes with an
HTTP range request; files already present with the right checksum are kept.
braingo reads the .h5.gz files as they are. N-MNIST has no stable download
address and is not fetched.`,
		Setup: func(fs *flag.FlagSet) cli.RunFunc {
			var sets setFlags
			fs.Var(&sets, "set", "export: override a recipe field: key=value (repeatable)")
			out := fs.String("out", "", "export: the folder to write the .npy files to")
			asJSON := fs.Bool("json", false, "info: one JSON object per data set")
			base := fs.String("base-url", zenkeLab, "fetch: where the files and md5sums.txt are")
			return func(env *cli.Env, args []string) error {
				if len(args) == 0 {
					return cli.Usagef("want info DIR, export RECIPE or fetch shd|ssc DIR")
				}
				switch args[0] {
				case "info":
					if len(args) != 2 {
						return cli.Usagef("data info takes one folder, got %d arguments", len(args)-1)
					}
					return dataInfo(env, args[1], *asJSON)
				case "export":
					if len(args) != 2 {
						return cli.Usagef("data export takes one recipe, got %d arguments", len(args)-1)
					}
					if *out == "" {
						return cli.Usagef("data export needs --out DIR")
					}
					r, err := recipes.Load(args[1], sets)
					if err != nil {
						return cli.Usagef("%v", err)
					}
					spec, ok := r.Spec.(*kinds.SeqClassify)
					if !ok {
						return cli.Usagef("data export takes a %s recipe; %s is %s", kinds.SeqClassifyKind, args[1], r.Kind)
					}
					return dataExport(env, spec, *out)
				case "fetch":
					if len(args) != 3 {
						return cli.Usagef("data fetch takes a data set (shd, ssc) and a folder, got %d arguments", len(args)-1)
					}
					return dataFetch(context.Background(), env.Stderr, http.DefaultClient, strings.TrimSuffix(*base, "/"), args[1], args[2])
				}
				return cli.Usagef("unknown data action %q: want info, export or fetch", args[0])
			}
		},
	})
}

// setInfo describes one data set found in a folder.
type setInfo struct {
	Path       string  `json:"path"`
	Dataset    string  `json:"dataset"`
	Samples    int     `json:"samples"`
	Classes    int     `json:"classes"`
	Channels   int     `json:"channels"`
	DurationMS float64 `json:"duration_ms"`
	Sampled    bool    `json:"duration_sampled,omitempty"`
	MeanEvents float64 `json:"mean_events"`
}

func dataInfo(env *cli.Env, dir string, asJSON bool) error {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("data info: %s is not a folder", dir)
	}
	var sets []setInfo
	for _, src := range []string{"shd", "ssc"} {
		for _, name := range kinds.SeqDataFiles(src) {
			for _, f := range []string{name, name + ".gz"} {
				path := filepath.Join(dir, f)
				if _, err := os.Stat(path); err != nil {
					continue
				}
				in, err := hdf5Info(src, path)
				if err != nil {
					return err
				}
				sets = append(sets, in)
			}
		}
	}
	var nm []string
	for _, sub := range kinds.SeqDataFiles("nmnist") {
		if isNMNIST(filepath.Join(dir, sub)) {
			nm = append(nm, filepath.Join(dir, sub))
		}
	}
	if len(nm) == 0 && isNMNIST(dir) {
		nm = []string{dir}
	}
	for _, d := range nm {
		in, err := nmnistInfo(d)
		if err != nil {
			return err
		}
		sets = append(sets, in)
	}
	if len(sets) == 0 {
		return fmt.Errorf("data info: %s holds no event data set braingo reads (shd_{train,test}.h5, ssc_{train,valid,test}.h5, N-MNIST Train/ and Test/)", dir)
	}
	if asJSON {
		for _, s := range sets {
			if err := cli.WriteJSON(env.Stdout, s); err != nil {
				return err
			}
		}
		return nil
	}
	var rows [][]string
	for _, s := range sets {
		dur := fmt.Sprintf("%.1f", s.DurationMS)
		if s.Sampled {
			dur = "~" + dur
		}
		rows = append(rows, []string{s.Path, s.Dataset, fmt.Sprint(s.Samples), fmt.Sprint(s.Classes), fmt.Sprint(s.Channels), dur, fmt.Sprintf("%.0f", s.MeanEvents)})
	}
	return eval.WriteSummaryTable(env.Stdout, []string{"path", "dataset", "samples", "classes", "channels", "duration ms", "events/sample"}, rows)
}

func hdf5Info(src, path string) (setInfo, error) {
	open := events.OpenSHD
	if src == "ssc" {
		open = events.OpenSSC
	}
	d, err := open(path)
	if err != nil {
		return setInfo{}, err
	}
	defer d.Close()
	in := setInfo{Path: path, Dataset: strings.ToUpper(src), Samples: d.Len(), Classes: len(d.Classes()), Channels: d.Sensor().Channels()}
	var total int
	for i := range d.Len() {
		times, _, err := d.Spikes(i)
		if err != nil {
			return setInfo{}, err
		}
		total += len(times)
		for _, t := range times {
			in.DurationMS = math.Max(in.DurationMS, t*1000)
		}
	}
	if in.Samples > 0 {
		in.MeanEvents = float64(total) / float64(in.Samples)
	}
	return in, nil
}

func isNMNIST(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "0"))
	return err == nil && st.IsDir()
}

// nmnistSampled is how many recordings nmnistInfo reads for the duration
// and event counts.
const nmnistSampled = 500

func nmnistInfo(dir string) (setInfo, error) {
	d, err := events.OpenNMNIST(dir)
	if err != nil {
		return setInfo{}, err
	}
	in := setInfo{Path: dir, Dataset: "N-MNIST", Samples: d.Len(), Classes: len(d.Classes()), Channels: d.Sensor().Channels()}
	n := min(d.Len(), nmnistSampled)
	in.Sampled = n < d.Len()
	var total int
	for k := range n {
		ev, _, err := d.Sample(k * d.Len() / n)
		if err != nil {
			return setInfo{}, err
		}
		total += len(ev)
		for _, e := range ev {
			in.DurationMS = math.Max(in.DurationMS, float64(e.T)/1000)
		}
	}
	if n > 0 {
		in.MeanEvents = float64(total) / float64(n)
	}
	return in, nil
}

func dataExport(env *cli.Env, spec *kinds.SeqClassify, out string) error {
	data, err := spec.Load()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, s := range []struct {
		name string
		b    *events.Binned
		idx  []int
	}{{"train", data.Train, data.TrainIndex}, {"test", data.Test, data.TestIndex}} {
		steps, ch := s.b.Spec.Steps, s.b.Channels
		x := make([]byte, 0, len(s.idx)*steps*ch)
		y := make([]int64, len(s.idx))
		var buf []float32
		for k, i := range s.idx {
			buf = s.b.Sample(i, buf)
			for _, v := range buf {
				if v > 255 {
					return fmt.Errorf("data export: sample %d has a bin of %v events, more than uint8 holds", i, v)
				}
				x = append(x, byte(v))
			}
			y[k] = int64(s.b.Label(i))
		}
		if err := writeNPY(filepath.Join(out, "x_"+s.name+".npy"), "|u1", []int{len(s.idx), steps, ch}, x); err != nil {
			return err
		}
		yb := make([]byte, 8*len(y))
		for k, v := range y {
			binary.LittleEndian.PutUint64(yb[8*k:], uint64(v))
		}
		if err := writeNPY(filepath.Join(out, "y_"+s.name+".npy"), "<i8", []int{len(y)}, yb); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: %d samples of %d steps x %d channels, %d classes\n", s.name, len(s.idx), steps, ch, len(s.b.Classes()))
	}
	fmt.Fprintf(env.Stdout, "wrote x_train.npy, y_train.npy, x_test.npy, y_test.npy to %s\n", out)
	return nil
}

// writeNPY writes a C-order NumPy array file (format version 1.0).
func writeNPY(path, dtype string, shape []int, data []byte) error {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", dtype, tuple)
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad%64) + "\n"
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString("\x93NUMPY\x01\x00")
	binary.Write(w, binary.LittleEndian, uint16(len(header)))
	w.WriteString(header)
	w.Write(data)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
