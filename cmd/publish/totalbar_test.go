package publish_test

import (
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

// The total bar of an upload of several files counts all of them, however
// many there are.
func TestTotalBarCountsEveryFile(t *testing.T) {
	h := cmdtest.New(t, cmdtest.Options{})
	dir := t.TempDir()
	files := []string{
		write(t, dir, "roads.shp", make([]byte, 3000)),
		write(t, dir, "roads.shx", make([]byte, 2000)),
		write(t, dir, "roads.dbf", make([]byte, 1000)),
		write(t, dir, "roads.prj", make([]byte, 240)),
	}
	r := h.RunWith(cmdtest.TTY(""), append([]string{"layers", "publish", "-w", ws, "--no-wait"}, files...)...)
	if r.Code != 0 {
		t.Fatalf("%s", r)
	}
	// The last frame drawn shows the total at its end: 6240 bytes.
	frames := strings.Split(r.Stderr, "total")
	last := frames[len(frames)-1]
	if !strings.Contains(last, "6.1 KiB / 6.1 KiB") {
		t.Errorf("the total bar's last frame does not show 6.1 KiB of 6.1 KiB:\n%q", "total"+last)
	}
}
