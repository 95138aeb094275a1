package publish

import (
	"bytes"
	"testing"
	"time"
)

// An interrupted upload of several files leaves bars unfinished; Done must
// still end them all and return, or the command hangs instead of printing
// the resume command.
func TestBarsDoneReturnsAfterAnInterruptedUpload(t *testing.T) {
	for name, sent := range map[string][2]int64{
		"first file partial":  {10, 0},
		"second file partial": {100, 10},
		"nothing sent":        {0, 0},
		"all sent":            {100, 50},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			b := newBars(&out)
			b.Start("dem.tif", 100)
			b.Start("dem.tfw", 50)
			b.Add("dem.tif", sent[0])
			b.Add("dem.tfw", sent[1])
			done := make(chan struct{})
			go func() {
				b.Done()
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Done did not return: the progress container waits for a bar that never ends")
			}
		})
	}
}
