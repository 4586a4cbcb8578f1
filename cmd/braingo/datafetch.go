package main

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// zenkeLab is where Cramer et al. publish SHD and SSC, with md5sums.txt
// beside the files (the list SpyTorch's tutorials check downloads against).
const zenkeLab = "https://zenkelab.org/datasets"

// fetchSets are the files data fetch downloads per data set.
var fetchSets = map[string][]string{
	"shd": {"shd_train.h5.gz", "shd_test.h5.gz"},
	"ssc": {"ssc_train.h5.gz", "ssc_valid.h5.gz", "ssc_test.h5.gz"},
}

// dataFetch downloads a data set's files from base into dir: the checksum
// list first (base/md5sums.txt, lines "HASH  NAME", MD5 or SHA-256 by
// length), then each file to NAME.part, resumed with an HTTP range request
// where a .part is left from an interrupted run, verified and renamed into
// place. A file already there with the right checksum is kept.
func dataFetch(ctx context.Context, log io.Writer, client *http.Client, base, set, dir string) error {
	files, ok := fetchSets[set]
	if !ok {
		if set == "nmnist" {
			return fmt.Errorf("data fetch: nmnist has no stable download address; get Train.zip and Test.zip from %s and unzip them into one folder", "https://www.garrickorchard.com/datasets/n-mnist")
		}
		return fmt.Errorf("data fetch: unknown data set %q (known: shd, ssc)", set)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sums, err := fetchSums(ctx, client, base+"/md5sums.txt")
	if err != nil {
		return err
	}
	for _, name := range files {
		want, ok := sums[name]
		if !ok {
			return fmt.Errorf("data fetch: %s/md5sums.txt lists no checksum for %s", base, name)
		}
		dst := filepath.Join(dir, name)
		if got, err := fileHash(dst, want); err == nil && got == want {
			fmt.Fprintf(log, "%s: present, checksum matches\n", dst)
			continue
		}
		if err := download(ctx, log, client, base+"/"+name, dst+".part"); err != nil {
			return err
		}
		got, err := fileHash(dst+".part", want)
		if err != nil {
			return err
		}
		if got != want {
			os.Remove(dst + ".part")
			return fmt.Errorf("data fetch: %s: checksum %s, %s/md5sums.txt says %s; the download was removed, run again", name, got, base, want)
		}
		if err := os.Rename(dst+".part", dst); err != nil {
			return err
		}
		fmt.Fprintf(log, "%s: downloaded, checksum matches\n", dst)
	}
	return nil
}

func fetchSums(ctx context.Context, client *http.Client, url string) (map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("data fetch: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("data fetch: %s: %s", url, resp.Status)
	}
	sums := map[string]string{}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 1<<20))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 {
			sums[strings.TrimPrefix(f[1], "*")] = strings.ToLower(f[0])
		}
	}
	return sums, sc.Err()
}

// download writes url to part, continuing a partial file with a range
// request (a server that ignores the range sends everything, and part is
// started over).
func download(ctx context.Context, log io.Writer, client *http.Client, url, part string) error {
	var have int64
	if st, err := os.Stat(part); err == nil {
		have = st.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("data fetch: %v (run again to resume)", err)
	}
	defer resp.Body.Close()
	flags := os.O_CREATE | os.O_WRONLY
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		flags |= os.O_APPEND
		fmt.Fprintf(log, "%s: resuming after %d bytes\n", url, have)
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		return nil // part is complete; the checksum decides
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC
	default:
		return fmt.Errorf("data fetch: %s: %s", url, resp.Status)
	}
	f, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("data fetch: %s: %v (run again to resume)", url, err)
	}
	return f.Close()
}

// fileHash is the hex MD5 or SHA-256 (by the length of want) of a file.
func fileHash(path, want string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var h hash.Hash = md5.New()
	if len(want) == 64 {
		h = sha256.New()
	}
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
