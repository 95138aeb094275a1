package publish

import (
	"io"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// bars draws upload progress on stderr: one bar per file with bytes, rate
// and ETA, and a total bar when there are several files. It implements
// upload.Progress; the container is created at the first Start and shut
// down by Done, so an upload that sends no file draws nothing.
type bars struct {
	out io.Writer

	mu    sync.Mutex
	p     *mpb.Progress
	files map[string]*fileBar
	order []*fileBar
	total *mpb.Bar
	size  int64 // all files' bytes
	sent  int64 // all files' bytes reported so far
}

type fileBar struct {
	bar       *mpb.Bar
	size, got int64
}

func newBars(out io.Writer) *bars { return &bars{out: out} }

func (b *bars) Start(file string, size int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.p == nil {
		// Auto refresh: IOStreams has already decided that stderr is a
		// terminal, whatever the writer is.
		b.p = mpb.New(mpb.WithOutput(b.out), mpb.WithAutoRefresh(), mpb.WithWidth(100))
		b.files = map[string]*fileBar{}
	}
	if _, ok := b.files[file]; ok {
		return
	}
	fb := &fileBar{bar: b.p.AddBar(size, barDecorators(file)...), size: size}
	b.files[file] = fb
	b.order = append(b.order, fb)
	b.size += size
	switch {
	case b.total != nil:
		b.total.SetTotal(b.size, false)
	case len(b.files) == 2:
		b.total = b.p.AddBar(b.size, barDecorators("total")...)
		b.total.SetCurrent(b.sent)
	}
}

func barDecorators(name string) []mpb.BarOption {
	return []mpb.BarOption{
		mpb.PrependDecorators(
			decor.Name(name, decor.WCSyncSpaceR),
			decor.Counters(decor.SizeB1024(0), "% .1f / % .1f", decor.WCSyncSpace),
		),
		mpb.AppendDecorators(
			decor.AverageSpeed(decor.SizeB1024(0), "% .1f", decor.WCSyncSpace),
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "done"),
		),
	}
}

func (b *bars) Add(file string, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fb, ok := b.files[file]
	if !ok {
		return
	}
	fb.got += n
	fb.bar.IncrInt64(n)
	b.sent += n
	if b.total != nil {
		b.total.IncrInt64(n)
	}
}

// Done completes the bars of files sent whole (empty files included) and
// stops the others where they are, so an interrupted upload shows how far
// it got.
func (b *bars) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.p == nil {
		return
	}
	// Every bar must end, or Wait blocks for ever: no short-circuit here.
	all := true
	for _, fb := range b.order {
		if !finish(fb.bar, fb.got >= fb.size) {
			all = false
		}
	}
	if b.total != nil {
		finish(b.total, all)
	}
	b.p.Wait()
	b.p, b.files, b.order, b.total, b.size, b.sent = nil, nil, nil, nil, 0, 0
}

func finish(bar *mpb.Bar, complete bool) bool {
	if complete {
		bar.SetTotal(-1, true)
	} else {
		bar.Abort(false)
	}
	return complete
}
