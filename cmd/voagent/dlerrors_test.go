package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voagent/voagent/internal/testbed"
)

// TestDataLinkErrorsReported: an empty cutout, an unknown dataset and an
// error row of a links document are errors (non-zero exit) that say what
// the service said, and leave no file behind.
func TestDataLinkErrorsReported(t *testing.T) {
	in := testbed.Require(t)
	im := in.Images[0]
	unknown := strings.TrimSuffix(im.PubDID, ".fits") + "_nonesuch.fits"
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"soda: empty region", []string{"soda", "--url", in.ImagesDatalink, "--id", im.PubDID,
			"--circle", "10 10 0.01", "-o", filepath.Join(dir, "cut.fits")}, "the region has no data"},
		{"soda: unknown ID", []string{"soda", "--url", in.ImagesDatalink, "--id", unknown,
			"--circle", "10 10 0.01", "-o", filepath.Join(dir, "cut2.fits")}, "NotFoundFault"},
		{"datalink --download: error row", []string{"datalink", "--url", in.ImagesDatalink, "--id", unknown,
			"--download", filepath.Join(dir, "dl")}, "NotFoundFault"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCLI(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	var left []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
}
