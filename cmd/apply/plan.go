package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/laymanctl/laymanctl/client"
	"github.com/laymanctl/laymanctl/client/upload"
)

// Actions of a Change.
const (
	Create    = "create"
	Update    = "update"
	Unchanged = "unchanged"
	Delete    = "delete"
)

// Change is what apply would do to one publication.
type Change struct {
	Action    string   `json:"action"`
	Kind      string   `json:"kind"`
	Workspace string   `json:"workspace"`
	Name      string   `json:"name"`
	UUID      string   `json:"uuid,omitempty"`
	Fields    []string `json:"changes,omitempty"` // what an update changes
	// Status is the server's publication_status before apply.
	Status string `json:"status,omitempty"`

	entry  *Entry
	hashes []FileHash
}

// Ref names the publication.
func (c *Change) Ref() client.Ref {
	return client.Ref{Workspace: c.Workspace, Name: c.Name, UUID: c.UUID}
}

// current is what the server says about a publication apply compares.
type current struct {
	UUID, Title, Description, Status string
	Rights                           client.AccessRights
}

func get(ctx context.Context, c *client.Client, kind string, ref client.Ref) (*current, error) {
	var cur current
	if kind == upload.KindMap {
		m, err := c.Maps.Get(ctx, ref)
		if err != nil {
			return nil, err
		}
		cur = current{m.UUID, m.Title, m.Description, m.LaymanMetadata.PublicationStatus, m.AccessRights}
	} else {
		l, err := c.Layers.Get(ctx, ref)
		if err != nil {
			return nil, err
		}
		cur = current{l.UUID, l.Title, l.Description, l.LaymanMetadata.PublicationStatus, l.AccessRights}
	}
	return &cur, nil
}

// planEntry compares an entry with the server (metadata, rights) and with
// the state file (data): only data changed since the last apply are sent.
func planEntry(ctx context.Context, c *client.Client, server string, st *State, e *Entry) (*Change, error) {
	ch := &Change{Kind: e.Kind, Workspace: e.Workspace, Name: e.Name, entry: e}
	var err error
	if ch.hashes, err = hashFiles(e.Files()); err != nil {
		return nil, fmt.Errorf("%s: %w", e.Where, err)
	}
	if e.Map != nil && e.Map.File == "" {
		// A composed map's content is its layer list.
		list := strings.Join(e.Map.Layers, "\n")
		sum := sha256.Sum256([]byte(list))
		ch.hashes = []FileHash{{Name: "layers", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(list))}}
	}
	cur, err := get(ctx, c, e.Kind, client.Ref{Workspace: e.Workspace, Name: e.Name})
	if client.IsNotFound(err) {
		ch.Action = Create
		return ch, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s:%s: %w", e.Kind, e.Workspace, e.Name, err)
	}
	ch.UUID, ch.Status = cur.UUID, cur.Status
	title, description, read, write := e.metadata()
	if title != "" && title != cur.Title {
		ch.Fields = append(ch.Fields, "title")
	}
	if description != "" && description != cur.Description {
		ch.Fields = append(ch.Fields, "description")
	}
	if len(read) > 0 && !sameRights(read, cur.Rights.Read, e.Workspace) {
		ch.Fields = append(ch.Fields, "read")
	}
	if len(write) > 0 && !sameRights(write, cur.Rights.Write, e.Workspace) {
		ch.Fields = append(ch.Fields, "write")
	}
	rec := st.Find(server, e.Kind, e.Workspace, e.Name)
	var sent []FileHash
	if rec != nil && strings.EqualFold(rec.UUID, cur.UUID) {
		sent = rec.Files
	}
	// Data files come first, then a layer's style.
	nData := len(ch.hashes)
	if e.Layer != nil && e.Layer.Style != "" {
		nData--
		if len(sent) != len(ch.hashes) || sent[nData] != ch.hashes[nData] {
			ch.Fields = append(ch.Fields, "style")
		}
	}
	if len(sent) < nData || !slices.Equal(sent[:nData], ch.hashes[:nData]) {
		ch.Fields = append(ch.Fields, "data")
	}
	ch.Action = Unchanged
	if len(ch.Fields) > 0 {
		ch.Action = Update
	}
	return ch, nil
}

func (e *Entry) metadata() (title, description string, read, write []string) {
	if e.Map != nil {
		return e.Map.Title, e.Map.Description, e.Map.Read, e.Map.Write
	}
	return e.Layer.Title, e.Layer.Description, e.Layer.Read, e.Layer.Write
}

// sameRights compares a declared list with the server's. Layman lists the
// owner of a personal workspace in both lists whatever was sent
// (prime_db_schema/publications.py), so the owner counts only when declared.
func sameRights(declared, server []string, workspace string) bool {
	if !slices.Contains(declared, workspace) {
		server = slices.DeleteFunc(slices.Clone(server), func(n string) bool { return n == workspace })
	}
	return sameSet(declared, server)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// pruneChanges are the deletions --prune makes: publications the state
// records on this server that no manifest declares any more.
func pruneChanges(st *State, server string, entries []*Entry) []*Change {
	declared := map[string]bool{}
	for _, e := range entries {
		declared[e.Key()] = true
	}
	var out []*Change
	for _, r := range st.Recorded(server) {
		if !declared[r.Kind+":"+r.Workspace+":"+r.Name] {
			out = append(out, &Change{Action: Delete, Kind: r.Kind, Workspace: r.Workspace, Name: r.Name, UUID: r.UUID})
		}
	}
	return out
}

// planLine is one line of the printed plan, terraform-like.
func (c *Change) planLine() string {
	mark := map[string]string{Create: "+", Update: "~", Unchanged: "=", Delete: "-"}[c.Action]
	line := fmt.Sprintf("%s %s %s:%s (%s", mark, c.Kind, c.Workspace, c.Name, c.Action)
	if len(c.Fields) > 0 {
		line += ": " + strings.Join(c.Fields, ", ")
	}
	return line + ")"
}

// counts says how many changes of each action there are.
func counts(changes []*Change) map[string]int {
	n := map[string]int{}
	for _, c := range changes {
		n[c.Action]++
	}
	return n
}

// pending reports whether any change would send something.
func pending(changes []*Change) bool {
	return slices.ContainsFunc(changes, func(c *Change) bool { return c.Action != Unchanged })
}
