package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Images is a labelled set of equally sized grayscale images kept as bytes
// (Fashion-MNIST's 60,000 training images take 47 MB).
type Images struct {
	Name       string
	N          int     // number of images
	Rows, Cols int     // image size
	Pixels     []uint8 // N·Rows·Cols values, image-major, row-major
	Labels     []uint8 // N class labels
	Classes    int     // number of classes
	ClassNames []string
}

// Features is the number of pixels of one image.
func (d *Images) Features() int { return d.Rows * d.Cols }

// Limit returns a view of the first n images (all if n <= 0 or n >= N).
func (d *Images) Limit(n int) *Images {
	if n <= 0 || n >= d.N {
		return d
	}
	c := *d
	c.N = n
	c.Pixels = d.Pixels[:n*d.Features()]
	c.Labels = d.Labels[:n]
	return &c
}

// Source describes where an MNIST-family dataset lives and how to get it.
type Source struct {
	Name       string   // "fashion-mnist"
	EnvVar     string   // environment variable overriding DefaultDir
	DefaultDir string   // where Debian's package installs it, if any
	HowToGet   string   // shown when the files are missing
	ClassNames []string // label names
}

// FashionMNIST is Zalando's Fashion-MNIST (Xiao, Rasul and Vollgraf 2017),
// installed by Debian's dataset-fashion-mnist package.
var FashionMNIST = Source{
	Name:       "fashion-mnist",
	EnvVar:     "BRAINGO_FASHION_MNIST",
	DefaultDir: "/usr/share/datasets/fashion-mnist",
	HowToGet:   "install Debian's package (apt-get install dataset-fashion-mnist, or `make setup`), or point $BRAINGO_FASHION_MNIST or the recipe's data_dir at a folder holding the four IDX files",
	ClassNames: []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
}

// MNIST is LeCun, Cortes and Burges' handwritten digits. Debian does not
// package it: the four IDX files must be placed in a folder by hand.
var MNIST = Source{
	Name:       "mnist",
	EnvVar:     "BRAINGO_MNIST",
	DefaultDir: "/usr/share/datasets/mnist",
	HowToGet:   "copy the four MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz) into a folder and point $BRAINGO_MNIST or the recipe's data_dir at it",
	ClassNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
}

// Dir resolves the folder to read: explicit if non-empty (a flag or recipe
// field), else the source's environment variable, else its default.
func (s Source) Dir(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if d := os.Getenv(s.EnvVar); d != "" {
		return d
	}
	return s.DefaultDir
}

// Load reads the training and test splits from dir, resolved by Dir (so
// "" means the environment variable or the default folder).
func (s Source) Load(dir string) (train, test *Images, err error) {
	dir = s.Dir(dir)
	if train, err = s.loadSplit(dir, "train"); err != nil {
		return nil, nil, err
	}
	if test, err = s.loadSplit(dir, "t10k"); err != nil {
		return nil, nil, err
	}
	if train.Rows != test.Rows || train.Cols != test.Cols {
		return nil, nil, fmt.Errorf("%s: the test images in %s are %d×%d, the training images %d×%d: both splits must have one image size",
			s.Name, dir, test.Rows, test.Cols, train.Rows, train.Cols)
	}
	return train, test, nil
}

func (s Source) find(dir, base string) (string, error) {
	for _, p := range []string{base + ".gz", base} {
		path := filepath.Join(dir, p)
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%s: %s not found in %s: %s", s.Name, base+"[.gz]", dir, s.HowToGet)
}

func (s Source) loadSplit(dir, split string) (*Images, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: folder %s not found: %s", s.Name, dir, s.HowToGet)
		}
		return nil, fmt.Errorf("%s: %v", s.Name, err)
	}
	ip, err := s.find(dir, split+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	lp, err := s.find(dir, split+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	im, err := ReadIDX(ip)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDX(lp)
	if err != nil {
		return nil, err
	}
	if im.Type != 0x08 || len(im.Dims) != 3 {
		return nil, fmt.Errorf("%s: expected unsigned-byte images of shape (N, rows, cols), found type 0x%02x dims %v", ip, im.Type, im.Dims)
	}
	if lb.Type != 0x08 || len(lb.Dims) != 1 {
		return nil, fmt.Errorf("%s: expected unsigned-byte labels of shape (N), found type 0x%02x dims %v", lp, lb.Type, lb.Dims)
	}
	if im.Dims[0] != lb.Dims[0] {
		return nil, fmt.Errorf("%s holds %d images but %s holds %d labels", ip, im.Dims[0], lp, lb.Dims[0])
	}
	if im.Dims[0] < 1 || im.Dims[1] < 1 || im.Dims[2] < 1 {
		return nil, fmt.Errorf("%s: %d images of %d×%d pixels: a data set needs at least one image of at least one pixel", ip, im.Dims[0], im.Dims[1], im.Dims[2])
	}
	classes := len(s.ClassNames)
	for i, l := range lb.Data {
		if int(l) >= classes {
			return nil, fmt.Errorf("%s: label %d of image %d is not a class (0-%d)", lp, l, i, classes-1)
		}
	}
	return &Images{
		Name: s.Name + "/" + split, N: im.Dims[0], Rows: im.Dims[1], Cols: im.Dims[2],
		Pixels: im.Data, Labels: lb.Data, Classes: classes, ClassNames: s.ClassNames,
	}, nil
}
