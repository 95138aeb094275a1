package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
	"github.com/laymanctl/laymanctl/cmd/cli"
	"github.com/laymanctl/laymanctl/cmd/publications"
	"github.com/laymanctl/laymanctl/cmd/publish"
)

// Options are the parsed arguments of `apply` and `diff`.
type Options struct {
	Path     string // manifest file or directory
	State    string // state file
	Prune    bool
	DryRun   bool
	Diff     bool // `laymanctl diff`: print the plan, exit 1 when it changes anything
	Parallel int
	Timeout  time.Duration
}

// MaxParallel bounds --parallel.
const MaxParallel = 32

// NewCmd builds `laymanctl apply`.
func NewCmd(f *cli.Factory) *cobra.Command {
	return newCmd(f, false)
}

// NewDiffCmd builds `laymanctl diff`.
func NewDiffCmd(f *cli.Factory) *cobra.Command {
	return newCmd(f, true)
}

func newCmd(f *cli.Factory, diff bool) *cobra.Command {
	opts := &Options{Diff: diff}
	c := &cobra.Command{
		Use:   "apply -f FILE|DIR",
		Short: "Create and update layers and maps from a YAML manifest",
		Long: `Make the server hold what a YAML manifest declares (one file, or every *.yaml
in a directory): create what is missing, update what differs, and with --prune
delete what an earlier apply created and the manifest no longer lists (a
manifest that lists nothing is refused with --prune).

Titles, descriptions and access rights are compared with the server. Data
files, styles and map compositions are compared with the state file beside the
manifest (FILE.state.json, or DIR/.laymanctl-state.json; --state to choose),
which records per publication the server, its UUID and each file's sha256 and
size: Layman keeps no digest, so only data changed since the last apply are
sent again. Keep the state file between CI runs (cache, artifact or commit).

The plan is printed first (on stderr); --dry-run prints only the plan. Work
runs in parallel (--parallel), waiting for each publication's processing
included; layers go before maps, deletions last. One summary follows; exit 0
only when everything succeeded and ended COMPLETE (5 when something ended
INCOMPLETE, 1 when something failed). Mistakes in the manifest are reported
with file:line:column, and then nothing is sent.`,
		Example: `  laymanctl apply -f layers.yaml
  laymanctl apply -f manifests/ --prune --parallel 8
  laymanctl apply -f layers.yaml --dry-run`,
		Args: cli.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Path == "" {
				return cli.Usagef("-f FILE|DIR is required\nRun '%s --help' for usage.", c.CommandPath())
			}
			if opts.Parallel < 1 || opts.Parallel > MaxParallel {
				return cli.Usagef("--parallel must be between 1 and %d, got %d", MaxParallel, opts.Parallel)
			}
			var err error
			if opts.Timeout, err = publications.WaitTimeout(f, c.Flags().Changed("timeout"), opts.Timeout); err != nil {
				return err
			}
			if opts.State == "" {
				opts.State = StatePath(opts.Path)
			}
			return Run(c.Context(), f, opts)
		},
	}
	if diff {
		c.Use = "diff -f FILE|DIR"
		c.Short = "Show what apply would change (exit 1 when anything would)"
		c.Long = `Compare a manifest with the server and the state file as apply does, print
the plan, and exit 0 when nothing would change, 1 otherwise. Nothing is sent.`
		c.Example = `  laymanctl diff -f layers.yaml --prune`
	}
	fs := c.Flags()
	fs.StringVarP(&opts.Path, "filename", "f", "", "manifest file, or a directory of *.yaml manifests")
	fs.StringVar(&opts.State, "state", "", "state file (default: beside the manifest)")
	fs.BoolVar(&opts.Prune, "prune", false, "delete publications the state file records and the manifest no longer lists")
	if !diff {
		fs.BoolVar(&opts.DryRun, "dry-run", false, "print the plan only; send nothing")
		fs.IntVar(&opts.Parallel, "parallel", 4, fmt.Sprintf("publications processed at once (1-%d)", MaxParallel))
		fs.DurationVar(&opts.Timeout, "timeout", 0, "per publication, give up waiting after this long, e.g. 10m: for its processing, and before an update while Layman is still processing it (error 49); "+publications.TimeoutDefault)
	} else {
		opts.Parallel = 4
	}
	return c
}

// Run plans, prints the plan, and unless only planning, applies it.
func Run(ctx context.Context, f *cli.Factory, opts *Options) error {
	entries, err := Load(opts.Path)
	if err != nil {
		return err
	}
	if opts.Prune && len(entries) == 0 {
		// Most likely a wrong or truncated file; kubectl refuses this too.
		return cli.Usagef("%s lists no publication, so --prune would delete every publication the state file records; "+
			"to delete publications use `laymanctl layers delete` or `laymanctl maps delete` (--workspace W --all for all of a workspace)", opts.Path)
	}
	st, err := LoadState(opts.State)
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	p, err := f.Printer()
	if err != nil {
		return err
	}
	server, err := f.Server()
	if err != nil {
		return err
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	changes, err := plan(ctx, c, server, st, entries, opts)
	if err != nil {
		return err
	}
	if opts.Diff || opts.DryRun {
		if err := printPlan(p, f.IO, changes); err != nil {
			return err
		}
		if opts.Diff && pending(changes) {
			return cli.ErrSilent
		}
		return nil
	}
	if !f.Flags.Quiet {
		for _, ch := range changes {
			fmt.Fprintln(f.IO.ErrOut, ch.planLine())
		}
		fmt.Fprintln(f.IO.ErrOut, planTotals(changes))
	}
	tmp, err := os.MkdirTemp("", "laymanctl-apply-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	r := &runner{f: f, c: c, server: server, st: st, opts: opts, tmp: tmp}
	results := r.run(ctx, changes)
	return report(p, f, results)
}

// plan compares every entry in parallel (reads only) and adds the prune
// deletions.
func plan(ctx context.Context, c *client.Client, server string, st *State, entries []*Entry, opts *Options) ([]*Change, error) {
	changes := make([]*Change, len(entries))
	errs := make([]error, len(entries))
	pool(len(entries), opts.Parallel, func(i int) {
		changes[i], errs[i] = planEntry(ctx, c, server, st, entries[i])
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if opts.Prune {
		changes = append(changes, pruneChanges(st, server, entries)...)
	}
	return changes, nil
}

// pool runs fn(0..n-1) with at most size at once.
func pool(n, size int, fn func(int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, size)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}

func planTotals(changes []*Change) string {
	n := counts(changes)
	return fmt.Sprintf("Plan: %d to create, %d to update, %d unchanged, %d to delete.", n[Create], n[Update], n[Unchanged], n[Delete])
}

// printPlan is the result of diff and --dry-run: the plan on stdout.
func printPlan(p *cli.Printer, io *cli.IOStreams, changes []*Change) error {
	if p.Structured() {
		raw, err := json.Marshal(nonNil(changes))
		if err != nil {
			return err
		}
		return p.Print(raw, nil)
	}
	for _, ch := range changes {
		fmt.Fprintln(io.Out, ch.planLine())
	}
	_, err := fmt.Fprintln(io.Out, planTotals(changes))
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Result is how one change ended.
type Result struct {
	Result    string   `json:"result"` // created, updated, unchanged, deleted, failed
	Kind      string   `json:"kind"`
	Workspace string   `json:"workspace"`
	Name      string   `json:"name"`
	UUID      string   `json:"uuid,omitempty"`
	Changes   []string `json:"changes,omitempty"`
	Status    string   `json:"status,omitempty"` // publication_status at the end
	Error     string   `json:"error,omitempty"`
}

var pastTense = map[string]string{Create: "created", Update: "updated", Unchanged: "unchanged", Delete: "deleted"}

type runner struct {
	f      *cli.Factory
	c      *client.Client
	server string
	st     *State
	opts   *Options

	tmp string // composed maps

	mu   sync.Mutex
	done int
	log  *publications.StatusLog
}

// run applies the changes: layers, then maps (which show layers), then
// deletions of maps and of layers, each phase in parallel.
func (r *runner) run(ctx context.Context, changes []*Change) []*Result {
	results := make([]*Result, len(changes))
	quiet := r.f.Flags.Quiet
	if !quiet && !r.f.IO.ErrTTY {
		r.log = publications.NewStatusLog(r.f.IO.ErrOut)
		defer r.log.Stop()
	}
	phase := func(match func(*Change) bool) {
		var idx []int
		for i, ch := range changes {
			if match(ch) {
				idx = append(idx, i)
			}
		}
		pool(len(idx), r.opts.Parallel, func(j int) {
			i := idx[j]
			results[i] = r.apply(ctx, changes[i])
			r.finished(results[i], len(changes))
		})
	}
	phase(func(ch *Change) bool { return ch.Action != Delete && ch.Kind == upload.KindLayer })
	phase(func(ch *Change) bool { return ch.Action != Delete && ch.Kind == upload.KindMap })
	phase(func(ch *Change) bool { return ch.Action == Delete && ch.Kind == upload.KindMap })
	phase(func(ch *Change) bool { return ch.Action == Delete && ch.Kind == upload.KindLayer })
	return results
}

func (r *runner) finished(res *Result, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if r.f.Flags.Quiet {
		return
	}
	line := fmt.Sprintf("%s %s:%s %s", res.Kind, res.Workspace, res.Name, res.Result)
	if res.Status != "" {
		line += " " + res.Status
	}
	if res.Error != "" {
		line += ": " + res.Error
	}
	if r.log != nil {
		r.log.Set(line, true)
		r.log.Set(fmt.Sprintf("apply: %d of %d done", r.done, total), false)
		return
	}
	fmt.Fprintln(r.f.IO.ErrOut, line)
}

// apply carries out one change and waits for its processing.
func (r *runner) apply(ctx context.Context, ch *Change) *Result {
	res := &Result{Result: pastTense[ch.Action], Kind: ch.Kind, Workspace: ch.Workspace, Name: ch.Name, UUID: ch.UUID, Changes: ch.Fields, Status: ch.Status}
	fail := func(err error) *Result {
		res.Result, res.Error = "failed", cli.ErrorText(err)
		return res
	}
	u := &upload.Uploader{Client: r.c, BusyTimeout: r.opts.Timeout}
	var sent *upload.Result
	var err error
	switch ch.Action {
	case Unchanged:
		return res
	case Delete:
		if ch.Kind == upload.KindMap {
			_, err = r.c.Maps.Delete(ctx, ch.Ref())
		} else if _, err = r.c.Layers.Delete(ctx, ch.Ref()); err == nil || errors.As(err, new(*client.AlreadyDeletedError)) {
			// An upload to it (`layers publish`, `update`) may have been
			// interrupted: nothing is left to resume.
			publications.DropUploads(r.f, r.c)(ch.Ref())
		}
		if err != nil && !client.IsNotFound(err) {
			return fail(err)
		}
		res.Status = ""
		if err := r.st.Forget(r.server, ch.Kind, ch.Workspace, ch.Name); err != nil {
			return fail(err)
		}
		return res
	case Create:
		if e := ch.entry; e.Map != nil {
			var file string
			if file, err = r.composition(ctx, e.Map); err == nil {
				sent, err = u.PublishMap(ctx, e.Workspace, file, e.Map.params())
			}
		} else {
			sent, err = u.Publish(ctx, e.Layer.params())
		}
	case Update:
		sent, err = r.update(ctx, u, ch)
	}
	if err != nil {
		return fail(err)
	}
	res.UUID = sent.Ref.UUID
	// The data are on the server: record them before waiting, so that a
	// wait that fails does not make the next run send them again.
	rec := &Record{Server: r.server, Kind: ch.Kind, Workspace: ch.Workspace, Name: ch.Name, UUID: sent.Ref.UUID, Files: ch.hashes}
	if err := r.st.Put(rec); err != nil {
		return fail(err)
	}
	waitCtx := ctx
	if r.opts.Timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, r.opts.Timeout)
		defer cancel()
	}
	st, err := upload.Wait(waitCtx, r.c, sent.Ref, ch.Kind, nil)
	var incomplete *upload.IncompleteError
	switch {
	case st != nil && st.Final():
		res.Status = st.Publication
		if errors.As(err, &incomplete) {
			res.Error = cli.ErrorText(err)
		}
	case err != nil:
		return fail(fmt.Errorf("sent, but waiting for its processing failed: %w", err))
	}
	return res
}

// update sends only what differs: changed metadata and rights, and the
// files when their content changed.
func (r *runner) update(ctx context.Context, u *upload.Uploader, ch *Change) (*upload.Result, error) {
	has := func(f string) bool { return strings.Contains(","+strings.Join(ch.Fields, ",")+",", ","+f+",") }
	e := ch.entry
	if e.Map != nil {
		p := upload.MapParams{}
		if has("title") {
			p.Title = e.Map.Title
		}
		if has("description") {
			p.Description = e.Map.Description
		}
		if has("read") || has("write") {
			p.Read, p.Write = e.Map.Read, e.Map.Write
		}
		file := ""
		if has("data") {
			var err error
			if file, err = r.composition(ctx, e.Map); err != nil {
				return nil, err
			}
		}
		return u.UpdateMap(ctx, ch.Ref(), file, p)
	}
	l := e.Layer
	p := upload.LayerParams{}
	if has("title") {
		p.Title = l.Title
	}
	if has("description") {
		p.Description = l.Description
	}
	if has("read") || has("write") {
		// Both lists go together: Layman checks them as a pair.
		p.Read, p.Write = l.Read, l.Write
	}
	if has("data") {
		p.Files, p.CRS = l.Files, l.CRS
	}
	if has("style") {
		p.StylePath = l.Style
	}
	return u.Update(ctx, ch.Ref(), p)
}

// composition is the map's composition file: its own, or one composed of
// its layers as they are now (after the layers phase), in a temporary
// directory removed when the run ends.
func (r *runner) composition(ctx context.Context, m *MapSpec) (string, error) {
	if m.File != "" {
		return m.File, nil
	}
	doc, err := publish.ComposeMap(ctx, r.c, m.params(), m.refs)
	if err != nil {
		return "", err
	}
	path := filepath.Join(r.tmp, m.Workspace+"-"+m.Name+".json")
	return path, os.WriteFile(path, doc, 0o600)
}

// Summary counts the results.
type Summary struct {
	Created, Updated, Unchanged, Deleted, Failed, Incomplete int
}

// report prints one summary and says how the run ended.
func report(p *cli.Printer, f *cli.Factory, results []*Result) error {
	var s Summary
	for _, r := range results {
		switch r.Result {
		case "created":
			s.Created++
		case "updated":
			s.Updated++
		case "unchanged":
			s.Unchanged++
		case "deleted":
			s.Deleted++
		default:
			s.Failed++
		}
		if r.Result != "failed" && r.Result != "deleted" && r.Status != client.StatusComplete {
			s.Incomplete++
		}
	}
	doc := struct {
		Created      int       `json:"created"`
		Updated      int       `json:"updated"`
		Unchanged    int       `json:"unchanged"`
		Deleted      int       `json:"deleted"`
		Failed       int       `json:"failed"`
		Incomplete   int       `json:"incomplete"`
		Publications []*Result `json:"publications"`
	}{s.Created, s.Updated, s.Unchanged, s.Deleted, s.Failed, s.Incomplete, nonNil(results)}
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	err = p.Print(raw, func() cli.Table {
		t := cli.Table{Header: []string{"KIND", "WORKSPACE", "NAME", "RESULT", "STATUS", "DETAIL"}}
		for _, r := range results {
			detail := strings.Join(r.Changes, ",")
			if r.Error != "" {
				detail = r.Error
			}
			t.Rows = append(t.Rows, []string{r.Kind, r.Workspace, r.Name, r.Result, dash(r.Status), dash(detail)})
		}
		return t
	})
	if err != nil {
		return err
	}
	if !f.Flags.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "%d created, %d updated, %d unchanged, %d deleted, %d failed\n", s.Created, s.Updated, s.Unchanged, s.Deleted, s.Failed)
	}
	switch {
	case s.Failed > 0:
		return &cli.ExitError{Code: cli.ExitFailure, Err: fmt.Errorf("%d of %d publications failed", s.Failed, len(results)),
			Hint: "What succeeded is recorded in the state file; run apply again to retry the rest."}
	case s.Incomplete > 0:
		return &cli.ExitError{Code: cli.ExitIncomplete, Err: fmt.Errorf("%d of %d publications are not COMPLETE on the server", s.Incomplete, len(results))}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
