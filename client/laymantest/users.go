package laymantest

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// issID is layman.authn.oauth2.get_iss_id(): the key space of subs.
const issID = "layman.authn.oauth2"

var workspacePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// user is a Layman user: a reserved username bound to one OAuth2 subject.
type user struct {
	username string
	subKey   string
	claims   map[string]any
	roles    []string
}

// userStore maps OAuth2 subjects to reserved usernames, as Layman's Redis
// and prime DB schema do.
type userStore struct {
	mu         sync.Mutex
	bySub      map[string]string // subKey → username
	users      map[string]*user  // username → user
	claims     map[string]map[string]any
	workspaces map[string]struct{} // every workspace ever created
}

func newUserStore() *userStore {
	return &userStore{
		bySub:      map[string]string{},
		users:      map[string]*user{},
		claims:     map[string]map[string]any{},
		workspaces: map[string]struct{}{},
	}
}

// resolve returns the subject key and reserved username of an identity,
// registering a username the identity already brings.
func (u *userStore) resolve(id Identity, token string) (subKey, username string) {
	sub := id.Sub
	if sub == "" {
		sub = id.Username
	}
	if sub == "" {
		sum := sha256.Sum256([]byte(token))
		sub = "token-" + hex.EncodeToString(sum[:8])
	}
	subKey = issID + ":" + sub
	u.mu.Lock()
	defer u.mu.Unlock()
	if id.Claims != nil {
		u.claims[subKey] = id.Claims
	}
	if name, ok := u.bySub[subKey]; ok {
		return subKey, name
	}
	if id.Username != "" {
		u.addLocked(id.Username, subKey, id.Claims, nil)
		return subKey, id.Username
	}
	return subKey, ""
}

func (u *userStore) addLocked(username, subKey string, claims map[string]any, roles []string) {
	u.users[username] = &user{username: username, subKey: subKey, claims: claims, roles: roles}
	if subKey != "" {
		u.bySub[subKey] = username
	}
	u.workspaces[username] = struct{}{}
}

func (u *userStore) isUser(name string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.users[name]
	return ok
}

func (u *userStore) remove(username string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if usr, ok := u.users[username]; ok {
		delete(u.bySub, usr.subKey)
	}
	delete(u.users, username)
	delete(u.workspaces, username)
}

func (u *userStore) roles(username string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if usr, ok := u.users[username]; ok {
		return usr.roles
	}
	return nil
}

func (u *userStore) workspaceExists(ws string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.workspaces[ws]
	return ok
}

func (u *userStore) ensureWorkspace(ws string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.workspaces[ws] = struct{}{}
}

func (u *userStore) allRoles() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	set := map[string]struct{}{everyone: {}}
	for _, usr := range u.users {
		for _, r := range usr.roles {
			set[r] = struct{}{}
		}
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// UserOption configures AddUser.
type UserOption func(*user)

// WithSub binds the user to an OAuth2 subject (profile userId), so a token
// of that subject authenticates as this user.
func WithSub(sub string) UserOption {
	return func(u *user) { u.subKey = issID + ":" + sub }
}

// WithRoles gives the user roles usable in access rights.
func WithRoles(roles ...string) UserOption {
	return func(u *user) { u.roles = roles }
}

// WithClaims sets the claims /rest/users and /rest/current-user report.
func WithClaims(claims map[string]any) UserOption {
	return func(u *user) { u.claims = claims }
}

// AddUser registers a user with a reserved username and personal workspace.
func (s *Server) AddUser(username string, opts ...UserOption) {
	u := &user{username: username}
	for _, o := range opts {
		o(u)
	}
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	s.users.addLocked(username, u.subKey, u.claims, u.roles)
}

// getUsers is GET Users (src/layman/user/rest_users.py).
func (s *Server) getUsers(w http.ResponseWriter, _ *http.Request, _ *actor, _ params) *laymanError {
	s.users.mu.Lock()
	names := make([]string, 0, len(s.users.users))
	for n := range s.users.users {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]map[string]any, 0, len(names))
	for _, n := range names {
		c := s.users.users[n].claims
		out = append(out, map[string]any{
			"username":    n,
			"screen_name": c["preferred_username"],
			"given_name":  c["given_name"],
			"family_name": c["family_name"],
			"middle_name": c["middle_name"],
			"name":        c["name"],
		})
	}
	s.users.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getRoles is GET Roles (src/layman/user/rest_roles.py).
func (s *Server) getRoles(w http.ResponseWriter, _ *http.Request, _ *actor, _ params) *laymanError {
	writeJSON(w, http.StatusOK, s.users.allRoles())
	return nil
}

// currentUser is get_user_profile (src/layman/user/util.py).
func (s *Server) currentUser(r *http.Request, a *actor) map[string]any {
	if !a.authenticated {
		return map[string]any{
			"authenticated": false,
			"claims":        map[string]any{"iss": "http://" + r.Host + "/", "name": "Anonymous", "nickname": "Anonymous"},
		}
	}
	claims := map[string]any{}
	s.users.mu.Lock()
	for k, v := range s.users.claims[a.subKey] {
		claims[k] = v
	}
	s.users.mu.Unlock()
	claims["iss"] = "http://" + r.Host + "/o/"
	if pu, _ := claims["preferred_username"].(string); pu != "" {
		claims["screen_name"] = pu
	}
	out := map[string]any{"authenticated": true, "claims": claims}
	if a.username != "" {
		out["username"] = a.username
	}
	return out
}

// getCurrentUser is GET Current User (src/layman/user/rest_current_user.py).
func (s *Server) getCurrentUser(w http.ResponseWriter, r *http.Request, a *actor, _ params) *laymanError {
	writeJSON(w, http.StatusOK, s.currentUser(r, a))
	return nil
}

// patchCurrentUser is PATCH Current User (src/layman/user/rest_current_user.py).
func (s *Server) patchCurrentUser(w http.ResponseWriter, r *http.Request, a *actor, _ params) *laymanError {
	if !a.authenticated {
		return newError(30, nil)
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		return newError(2, map[string]any{"parameter": "username"})
	}
	adjust := strings.EqualFold(r.URL.Query().Get("adjust_username"), "true")
	username := r.PostFormValue("username")
	if adjust || username != "" {
		name, lerr := s.reserveUsername(a, username, adjust)
		if lerr != nil {
			return lerr
		}
		a.username = name
	}
	writeJSON(w, http.StatusOK, s.currentUser(r, a))
	return nil
}

// reserveUsername is reserve_username (src/layman/user/util.py).
func (s *Server) reserveUsername(a *actor, username string, adjust bool) (string, *laymanError) {
	if a.username != "" {
		return "", newError(34, map[string]any{"username": a.username})
	}
	u := s.users
	u.mu.Lock()
	defer u.mu.Unlock()
	claims := u.claims[a.subKey]
	if !adjust {
		if lerr := checkWorkspaceName(username); lerr != nil {
			return "", lerr
		}
		if _, taken := u.workspaces[username]; taken {
			return "", newError(35, nil)
		}
		u.addLocked(username, a.subKey, claims, nil)
		return username, nil
	}
	suggestions := []string{username}
	for _, k := range []string{"nickname", "preferred_username", "name"} {
		if v, _ := claims[k].(string); v != "" {
			suggestions = append(suggestions, v)
		}
	}
	if email, _ := claims["email"].(string); email != "" {
		suggestions = append(suggestions, strings.SplitN(email, "@", 2)[0])
	}
	safe := toSafeNames(suggestions, "user")
	for idx := 0; ; idx++ {
		for _, cand := range safe {
			if idx > 0 {
				cand = fmt.Sprintf("%s%d", cand, idx)
			}
			if checkWorkspaceName(cand) != nil {
				continue
			}
			if _, taken := u.workspaces[cand]; taken {
				continue
			}
			u.addLocked(cand, a.subKey, claims, nil)
			return cand, nil
		}
	}
}

// deleteCurrentUser is DELETE Current User: it flushes the token's
// authentication cache (src/layman/user/rest_current_user.py).
func (s *Server) deleteCurrentUser(w http.ResponseWriter, _ *http.Request, a *actor, _ params) *laymanError {
	if !a.authenticated {
		return newError(30, nil)
	}
	if f, ok := s.validator.(tokenForgetter); ok {
		f.Forget(a.token)
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Authentication cache flushed"})
	return nil
}

// deleteUser is DELETE User (src/layman/user/rest_user.py): the account and
// every publication in its workspace go.
func (s *Server) deleteUser(w http.ResponseWriter, _ *http.Request, a *actor, ps params) *laymanError {
	name := ps["username"]
	if !s.users.isUser(name) {
		return newError(57, map[string]string{"message": fmt.Sprintf("User %s was not found.", name)})
	}
	if !a.authenticated || a.username != name && !s.mayDeleteOthers(a.username) {
		return newError(30, map[string]string{"message": fmt.Sprintf("User %s is not authorized to delete %s.", a.username, name)})
	}
	s.mu.Lock()
	gone, lerr := s.leavePublicWorkspaces(name)
	if lerr != nil {
		s.mu.Unlock()
		return lerr
	}
	for _, p := range append([]*publication(nil), s.store.ordered...) {
		if p.workspace == name {
			s.store.remove(p)
			gone = append(gone, p)
		}
	}
	s.mu.Unlock()
	for _, p := range gone {
		s.removeFiles(p)
	}
	s.users.remove(name)
	writeJSON(w, http.StatusOK, map[string]string{"username": name})
	return nil
}

// leavePublicWorkspaces is delete_user_public_publications
// (src/layman/user/util.py, master and v2.4.0) for the publications of
// public workspaces that name the user in their read rights: those only
// the user may read and write go, the others lose the user, and error 58
// refuses the whole DELETE when only roles would be left to write one. Called with s.mu held; it returns the removed ones.
func (s *Server) leavePublicWorkspaces(name string) ([]*publication, *laymanError) {
	users := func(rule []string) (set []string, withEveryone bool) {
		for _, n := range rule {
			withEveryone = withEveryone || n == everyone
			if s.users.isUser(n) {
				set = append(set, n)
			}
		}
		return set, withEveryone
	}
	var remove, skipped []*publication
	var patch []func()
	for _, p := range s.store.ordered {
		if s.users.isUser(p.workspace) || !slices.Contains(p.read, name) {
			continue
		}
		readers, everyoneReads := users(p.read)
		writers, everyoneWrites := users(p.write)
		if !everyoneReads && !everyoneWrites && slices.Equal(readers, []string{name}) && slices.Equal(writers, []string{name}) {
			remove = append(remove, p)
			continue
		}
		without := func(rule []string) []string {
			return slices.DeleteFunc(slices.Clone(rule), func(n string) bool { return n == name })
		}
		read, write := without(p.read), without(p.write)
		if !slices.ContainsFunc(write, func(n string) bool { return n == everyone || s.users.isUser(n) }) {
			skipped = append(skipped, p)
			continue
		}
		patch = append(patch, func() { p.read, p.write = read, write })
	}
	if len(skipped) > 0 {
		slices.SortFunc(skipped, func(a, b *publication) int {
			return cmp.Or(strings.Compare(a.workspace, b.workspace), strings.Compare(a.name, b.name), strings.Compare(a.kind.String(), b.kind.String()))
		})
		list := make([]map[string]string, len(skipped))
		for i, p := range skipped {
			list[i] = map[string]string{"workspace": p.workspace, "type": "layman." + p.kind.String(), "name": p.name, "uuid": p.uuid}
		}
		return nil, newError(58, map[string]any{
			"message":  fmt.Sprintf("User %s cannot be removed from some publications because other users have read rights.", name),
			"username": name, "unable_to_delete_publications": list,
		})
	}
	for _, f := range patch {
		f()
	}
	for _, p := range remove {
		s.store.remove(p)
	}
	return remove, nil
}

func (s *Server) mayDeleteOthers(actor string) bool {
	if actor == "" {
		return false
	}
	roles := s.users.roles(actor)
	for _, g := range s.opts.GrantDeleteOtherUser {
		if g == actor || slices.Contains(roles, g) {
			return true
		}
	}
	return false
}

// checkWorkspaceName is check_workspace_name (src/layman/util.py) with the prime
// DB schema's length limit.
func checkWorkspaceName(ws string) *laymanError {
	if !workspacePattern.MatchString(ws) {
		return newError(2, map[string]any{"parameter": "workspace", "expected": workspacePattern.String()})
	}
	if len(ws) > 59 {
		return newError(56, nil)
	}
	return nil
}

// getVersion is GET Version (src/layman/rest_about.py).
func (s *Server) getVersion(w http.ResponseWriter, _ *http.Request, _ *actor, _ params) *laymanError {
	release := map[int]string{2: "2025-05-12T10:00:00Z", 3: "2025-05-12T10:00:00Z"}[s.opts.Generation]
	migration := "2.4.0-1"
	writeJSON(w, http.StatusOK, map[string]any{"about": map[string]any{
		"applications": map[string]any{
			"layman":             map[string]any{"version": s.opts.Version, "release-timestamp": release},
			"layman-test-client": map[string]any{"version": s.opts.Version},
		},
		"data": map[string]any{"layman": map[string]any{
			"last-schema-migration": migration,
			"last-data-migration":   migration,
		}},
	}})
	return nil
}
