package laymantest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

type pubKind uint8

const (
	kindAny pubKind = iota
	kindLayer
	kindMap
)

func (k pubKind) String() string {
	if k == kindMap {
		return "map"
	}
	return "layer"
}

// notFound is the error code for a missing publication of this kind.
func (k pubKind) notFound() int {
	if k == kindMap {
		return 26
	}
	return 15
}

const everyone = "EVERYONE"

// Publication statuses (layman_metadata.publication_status).
const (
	StatusUpdating   = "UPDATING"
	StatusComplete   = "COMPLETE"
	StatusIncomplete = "INCOMPLETE"
)

// storedFile is one data file of a layer, kept on disk.
type storedFile struct {
	name   string // as the client named it
	path   string // absolute path under the data dir
	sha256 string
	size   int64
}

// sourceFailure makes a publication end INCOMPLETE with this source failed.
type sourceFailure struct {
	source string
	error  json.RawMessage
}

type publication struct {
	kind        pubKind
	uuid        string
	workspace   string
	name        string
	title       string
	description string
	read, write []string // shared between seeded publications; replaced, never mutated
	updatedAt   time.Time
	bbox        *[4]float64 // EPSG:3857
	nativeCRS   string
	geodataType string
	style       []byte
	styleType   string
	mapFile     []byte
	files       []storedFile
	table       *externalTable // external_table_uri instead of files
	pollsLeft   int
	chunk       *chunkSession
	imageMosaic bool
	// staleChunks: a chunked upload timed out, and its input_chunk
	// directory stays until the layer is deleted.
	staleChunks bool
	failure     *sourceFailure
	chunkPosts  int
	patching    bool // a PATCH is being served
	features    int  // WFS features of a vector layer
}

// publicationStore holds publications in creation order; guarded by Server.mu.
type publicationStore struct {
	byUUID  map[string]*publication
	byName  map[string]*publication // kind/ws/name
	ordered []*publication
	// pendingFailures are SetIncomplete calls for publications not yet created.
	pendingFailures map[string]*sourceFailure
}

func newPublicationStore() *publicationStore {
	return &publicationStore{
		byUUID:          map[string]*publication{},
		byName:          map[string]*publication{},
		pendingFailures: map[string]*sourceFailure{},
	}
}

func nameKey(k pubKind, ws, name string) string { return k.String() + "/" + ws + "/" + name }

func (st *publicationStore) add(p *publication) {
	st.byUUID[p.uuid] = p
	st.byName[nameKey(p.kind, p.workspace, p.name)] = p
	st.ordered = append(st.ordered, p)
	for _, key := range []string{p.uuid, p.workspace + ":" + p.name, p.kind.String() + ":" + p.workspace + ":" + p.name} {
		if f, ok := st.pendingFailures[key]; ok {
			p.failure = f
			delete(st.pendingFailures, key)
		}
	}
}

func (st *publicationStore) remove(p *publication) {
	delete(st.byUUID, p.uuid)
	delete(st.byName, nameKey(p.kind, p.workspace, p.name))
	st.ordered = slices.DeleteFunc(st.ordered, func(q *publication) bool { return q == p })
}

// lookup resolves a ref: a UUID, "ws:name" (layer first) or
// "layer:ws:name" / "map:ws:name".
func (st *publicationStore) lookup(ref string) *publication {
	if p, ok := st.byUUID[ref]; ok {
		return p
	}
	parts := strings.Split(ref, ":")
	switch len(parts) {
	case 2:
		if p, ok := st.byName[nameKey(kindLayer, parts[0], parts[1])]; ok {
			return p
		}
		return st.byName[nameKey(kindMap, parts[0], parts[1])]
	case 3:
		return st.byName[parts[0]+"/"+parts[1]+"/"+parts[2]]
	}
	return nil
}

// status advances nothing; it reports the current publication_status
// (get_publication_status in src/layman/util.py).
func (p *publication) status() string {
	if p.chunk != nil && p.chunk.state == chunkActive || p.pollsLeft > 0 {
		return StatusUpdating
	}
	if p.failure != nil {
		return StatusIncomplete
	}
	return StatusComplete
}

func (p *publication) ownerOf(users *userStore) string {
	if users.isUser(p.workspace) {
		return p.workspace
	}
	return ""
}

// rightsOf is the access_rights Layman shows: the owner of a personal
// workspace is listed first in both lists whatever was sent
// (layman/common/prime_db_schema/publications.py builds them so).
func (s *Server) rightsOf(p *publication) accessRights {
	withOwner := func(list []string) []string {
		owner := p.ownerOf(s.users)
		if owner == "" || slices.Contains(list, owner) {
			return list
		}
		return append([]string{owner}, list...)
	}
	return accessRights{Read: withOwner(p.read), Write: withOwner(p.write)}
}

// inRule is is_user_in_access_rule (src/layman/authz/__init__.py).
func (s *Server) inRule(username string, rule []string) bool {
	roles := s.users.roles(username)
	for _, n := range rule {
		if n == everyone || (username != "" && n == username) || slices.Contains(roles, n) {
			return true
		}
	}
	return false
}

// authorizePublication is authorize (src/layman/authz/__init__.py) for one publication: unreadable
// publications are "not found", readable but not writable ones code 30.
func (s *Server) authorizePublication(p *publication, write bool, a *actor) *laymanError {
	canRead := s.inRule(a.username, p.read)
	if !write {
		if canRead {
			return nil
		}
		return newError(p.kind.notFound(), nil)
	}
	if s.inRule(a.username, p.write) {
		return nil
	}
	if canRead {
		return newError(30, nil)
	}
	return newError(p.kind.notFound(), nil)
}

// authorizePublish is authorize (src/layman/authz/__init__.py) for POST to
// a workspace: one's own, or a public one when GRANT_PUBLISH_IN_PUBLIC_WORKSPACE
// lets the actor in (anonymous too) and, for a new workspace,
// GRANT_CREATE_PUBLIC_WORKSPACE does.
func (s *Server) authorizePublish(ws string, a *actor) *laymanError {
	if lerr := checkWorkspaceName(ws); lerr != nil {
		return lerr
	}
	if a.username != "" && a.username == ws {
		return nil
	}
	if s.users.isUser(ws) || !s.inRule(a.username, grantOrEveryone(s.opts.GrantPublishInPublicWorkspace)) {
		return newError(30, nil)
	}
	if s.users.workspaceExists(ws) || s.inRule(a.username, grantOrEveryone(s.opts.GrantCreatePublicWorkspace)) {
		return nil
	}
	return newError(30, nil)
}

func grantOrEveryone(g []string) []string {
	if g == nil {
		return []string{everyone}
	}
	return g
}

// parseRights reads access_rights.read/write like setup_*_access_rights
// (src/layman/common/rest.py).
func parseRights(v string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range strings.Split(v, ",") {
		x = strings.TrimSpace(x)
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// rolePattern is settings.ROLE_NAME_PATTERN.
var rolePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$`)

// checkRights is check_rights_axioms
// (src/layman/common/prime_db_schema/publications.py) plus the
// user and role existence checks; failures are error 43.
func (s *Server) checkRights(p *publication, read, write []string, actorName string) *laymanError {
	fail := func(msg string) *laymanError {
		return newError(43, map[string]any{
			"workspace_name":   p.workspace,
			"publication_name": p.name,
			"access_rights":    map[string]any{"read": read, "write": write},
			"actor_name":       actorName,
			"owner":            p.ownerOf(s.users),
			"message":          msg,
		})
	}
	known := map[string]bool{}
	for _, r := range s.users.allRoles() {
		known[r] = true
	}
	for _, n := range append(slices.Clone(read), write...) {
		// authz.is_user: any lower-case letter makes a user name.
		isUser := strings.ContainsFunc(n, func(c rune) bool { return c >= 'a' && c <= 'z' })
		switch {
		case isUser && !s.users.isUser(n):
			return fail("Not existing user. Username=" + n)
		case !isUser && !rolePattern.MatchString(n):
			return fail(fmt.Sprintf("Found roles not matching to regex: [%s]", n))
		case !isUser && !known[n]:
			return fail(fmt.Sprintf("Non-existent roles found: {%s}", n))
		}
	}
	hasUserWriter := slices.ContainsFunc(write, func(n string) bool { return s.users.isUser(n) })
	if !hasUserWriter && !slices.Contains(write, everyone) {
		return fail("At least one user have to have write rights.")
	}
	if !slices.Contains(read, everyone) {
		for _, w := range write {
			if !slices.Contains(read, w) {
				return fail("All users who have write rights have to have also read rights.")
			}
		}
	}
	if !s.inRule(actorName, write) {
		return fail("After the operation, the actor has to have write right.")
	}
	if owner := p.ownerOf(s.users); owner != "" && !slices.Contains(write, everyone) && !slices.Contains(write, owner) {
		return fail("Owner of the personal workspace have to keep write right.")
	}
	return nil
}

// NewUUID is a random (version 4) UUID in the form Layman gives.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// PublicationInfo is a snapshot of a publication for test assertions.
type PublicationInfo struct {
	Type        string // "layer" or "map"
	UUID        string
	Workspace   string
	Name        string
	Title       string
	Description string
	Status      string
	Read, Write []string
	GeodataType string
	Files       []string // data file names as the client sent them
	ChunkActive bool     // a chunk upload session is open
	UpdatedAt   time.Time
}

// Publication returns a snapshot of the publication ref names (UUID,
// "ws:name" or "layer:ws:name"/"map:ws:name"). It does not count as a GET.
func (s *Server) Publication(ref string) (PublicationInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.store.lookup(ref)
	if p == nil {
		return PublicationInfo{}, false
	}
	s.expireChunkSession(p)
	info := PublicationInfo{
		Type: p.kind.String(), UUID: p.uuid, Workspace: p.workspace, Name: p.name,
		Title: p.title, Description: p.description, Status: p.status(),
		Read: slices.Clone(p.read), Write: slices.Clone(p.write), GeodataType: p.geodataType,
		ChunkActive: p.chunk != nil && p.chunk.state == chunkActive, UpdatedAt: p.updatedAt,
	}
	for _, f := range p.files {
		info.Files = append(info.Files, f.name)
	}
	return info, true
}

// ChunkRequests counts the chunk POSTs that reached the publication's chunk
// endpoint (past authentication and the fault hook).
func (s *Server) ChunkRequests(ref string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.store.lookup(ref); p != nil {
		return p.chunkPosts
	}
	return 0
}

// SetIncomplete makes the publication ref end INCOMPLETE with source
// ("file", "db", "wms", "wfs", "style", "thumbnail", "metadata") failed
// with errorJSON (e.g. ErrorJSON(11, nil)). If ref does not exist yet, it
// applies to the publication created later under that UUID or name.
func (s *Server) SetIncomplete(ref, source, errorJSON string) {
	f := &sourceFailure{source: source, error: json.RawMessage(errorJSON)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.store.lookup(ref); p != nil {
		p.failure = f
		return
	}
	s.store.pendingFailures[ref] = f
}
