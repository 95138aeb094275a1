package publish

import (
	"fmt"
	"io"
	"sync"

	"github.com/laymanctl/laymanctl/cmd/publications"
)

// logProgress reports an upload in a log (stderr not a terminal): a line
// at every tenth of the bytes and the latest figures at every tick. It
// implements upload.Progress.
type logProgress struct {
	out io.Writer

	mu         sync.Mutex
	log        *publications.StatusLog
	files      map[string]bool
	size, sent int64
	step       int64 // tenths announced so far
}

func newLogProgress(out io.Writer) *logProgress { return &logProgress{out: out} }

func (p *logProgress) Start(file string, size int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log == nil {
		p.log = publications.NewStatusLog(p.out)
		p.files = map[string]bool{}
	}
	if !p.files[file] {
		p.files[file] = true
		p.size += size
	}
}

func (p *logProgress) Add(file string, n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log == nil {
		return
	}
	p.sent += n
	step := int64(10)
	if p.size > 0 {
		step = p.sent * 10 / p.size
	}
	p.log.Set(p.line(), step > p.step)
	p.step = max(p.step, step)
}

func (p *logProgress) line() string {
	pct := int64(100)
	if p.size > 0 {
		pct = p.sent * 100 / p.size
	}
	return fmt.Sprintf("uploading %d file(s): %s of %s (%d%%)", len(p.files), publications.FormatBytes(p.sent), publications.FormatBytes(p.size), pct)
}

func (p *logProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log == nil {
		return
	}
	p.log.Stop()
	p.log, p.files, p.size, p.sent, p.step = nil, nil, 0, 0, 0
}
