//go:build !amd64

package kernels

// gemmArch returns the portable implementation off amd64.
func gemmArch() *gemmImpl { return gemmGo }
