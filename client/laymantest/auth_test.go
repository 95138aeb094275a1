package laymantest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestAuthorizationHeaderErrors(t *testing.T) {
	s := New(t, Options{Validator: testTokens})
	cases := []struct {
		header  string
		subCode int
	}{
		{"Bearer", 3},
		{"Bearer a b", 3},
		{"Basic abc", 4},
		{"Bearer ", 3}, // HTTP trims the trailing space, so sub_code 5 cannot reach a Go (or gunicorn) server
		{"Bearer unknown", 9},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("GET", s.URL+"/rest/current-user", nil)
		req.Header.Set("Authorization", c.header)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 403 || e["code"] != float64(32) || e["sub_code"] != float64(c.subCode) {
			t.Errorf("%q: HTTP %d %v, want 403 code 32 sub_code %d", c.header, resp.StatusCode, e, c.subCode)
		}
	}
	var anon map[string]any
	get(t, s.URL+"/rest/current-user", "").json(t, &anon)
	if anon["authenticated"] != false || anon["claims"].(map[string]any)["name"] != "Anonymous" {
		t.Fatalf("anonymous %v", anon)
	}
}

func TestExpireTokens(t *testing.T) {
	tokens := StaticTokens{"old": {Username: "alice"}, "new": {Username: "alice"}}
	s := New(t, Options{Validator: tokens})
	if r := get(t, s.URL+"/rest/current-user", "old"); r.status != 200 {
		t.Fatalf("old before expiry: %d", r.status)
	}
	s.ExpireTokens()
	get(t, s.URL+"/rest/current-user", "old").wantError(t, 403, 32)
	if r := get(t, s.URL+"/rest/current-user", "new"); r.status != 200 {
		t.Fatalf("new token after expiry: %d", r.status)
	}
	s.SetTokenInvalid("new")
	e := get(t, s.URL+"/rest/current-user", "new").wantError(t, 403, 32)
	if e["sub_code"] != float64(9) {
		t.Fatalf("sub_code %v", e["sub_code"])
	}
	reqs := s.Requests()
	if !reqs[0].HasBearer || reqs[0].Username != "alice" || reqs[1].Username != "" {
		t.Fatalf("request log %+v", reqs)
	}
}

func TestReserveUsername(t *testing.T) {
	s := New(t, Options{Validator: testTokens})
	s.AddUser("jiri_novy") // both suggestions taken: the adjusted name gets a suffix
	s.AddUser("jiri")
	var me map[string]any
	get(t, s.URL+"/rest/current-user", "tok-new").json(t, &me)
	if me["authenticated"] != true || me["username"] != nil {
		t.Fatalf("before reservation %v", me)
	}
	postParts(t, "POST", s.URL+"/rest/layers", "tok-new", part{name: "workspace", content: "jiri"},
		part{name: "file", filename: "a.geojson", content: geojson}).wantError(t, 403, 30)
	r := do(t, "PATCH", s.URL+"/rest/current-user?adjust_username=true", "tok-new", nil, "")
	r.json(t, &me)
	if r.status != 200 || me["username"] != "jiri_novy1" || me["claims"].(map[string]any)["screen_name"] != "Jiří Nový" {
		t.Fatalf("adjusted %d %s", r.status, r.body)
	}
	do(t, "PATCH", s.URL+"/rest/current-user?adjust_username=true", "tok-new", nil, "").wantError(t, 400, 34)
	if r := do(t, "DELETE", s.URL+"/rest/current-user", "tok-new", nil, ""); r.status != 200 {
		t.Fatalf("DELETE current-user %d", r.status)
	}
	do(t, "DELETE", s.URL+"/rest/current-user", "", nil, "").wantError(t, 403, 30)

	var users []map[string]any
	get(t, s.URL+"/rest/users", "").json(t, &users)
	if len(users) != 3 {
		t.Fatalf("users %v", users)
	}
	var roles []string
	get(t, s.URL+"/rest/roles", "").json(t, &roles)
	if len(roles) != 1 || roles[0] != "EVERYONE" {
		t.Fatalf("roles %v", roles)
	}
}

func TestReserveExplicitUsername(t *testing.T) {
	s := New(t, Options{Validator: testTokens})
	s.AddUser("taken")
	patch := func(name string) response {
		return postParts(t, "PATCH", s.URL+"/rest/current-user", "tok-new", part{name: "username", content: name})
	}
	patch("Bad-Name").wantError(t, 400, 2)
	patch("taken").wantError(t, 409, 35)
	var me map[string]any
	patch("jiri").json(t, &me)
	if me["username"] != "jiri" {
		t.Fatalf("reserved %v", me)
	}
}

// authServer fakes DOT's introspection endpoint and the portal profile.
type authServer struct {
	*httptest.Server
	introspections atomic.Int32
	active         atomic.Bool
	scope          atomic.Value
}

func newAuthServer(t *testing.T) *authServer {
	a := &authServer{}
	a.active.Store(true)
	a.scope.Store("read write")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /o/introspect/", func(w http.ResponseWriter, r *http.Request) {
		a.introspections.Add(1)
		if r.FormValue("client_id") != "layman" || r.FormValue("client_secret") != "s3cret" || r.FormValue("token") != "tok" {
			w.WriteHeader(401)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"active": a.active.Load(), "scope": a.scope.Load(), "exp": 4102444800})
	})
	mux.HandleFunc("GET /profile/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(401)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"userId": 20139, "screenName": "Test User", "emailAddress": "test@example.com", "firstName": "Test", "lastName": "User"})
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

func TestIntrospectionValidator(t *testing.T) {
	as := newAuthServer(t)
	v := &IntrospectionValidator{IntrospectURL: as.URL + "/o/introspect/", ClientID: "layman", ClientSecret: "s3cret", ProfileURL: as.URL + "/profile/"}
	s := New(t, Options{Validator: v})

	r := do(t, "PATCH", s.URL+"/rest/current-user?adjust_username=true", "tok", nil, "")
	var me map[string]any
	r.json(t, &me)
	claims, _ := me["claims"].(map[string]any)
	if r.status != 200 || me["username"] != "test_user" || claims["email"] != "test@example.com" || claims["name"] != "Test User" || claims["sub"] != "20139" {
		t.Fatalf("current user %d %s", r.status, r.body)
	}
	get(t, s.URL+"/rest/current-user", "tok")
	if n := as.introspections.Load(); n != 1 {
		t.Fatalf("introspections with cache: %d, want 1", n)
	}
	do(t, "DELETE", s.URL+"/rest/current-user", "tok", nil, "")
	as.active.Store(false)
	e := get(t, s.URL+"/rest/current-user", "tok").wantError(t, 403, 32)
	if e["sub_code"] != float64(9) || as.introspections.Load() != 2 {
		t.Fatalf("inactive: %v after %d introspections", e, as.introspections.Load())
	}
	as.active.Store(true)
	as.scope.Store("write")
	if e := get(t, s.URL+"/rest/current-user", "tok").wantError(t, 403, 32); e["sub_code"] != float64(9) {
		t.Fatalf("scope without read: %v", e)
	}
	get(t, s.URL+"/rest/current-user", "other").wantError(t, 403, 32)
}

func TestIntrospectionUnreachable(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	v := &IntrospectionValidator{IntrospectURL: dead.URL + "/o/introspect/", ProfileURL: dead.URL + "/profile/", CacheTTL: -1}
	s := New(t, Options{Validator: v})
	if e := get(t, s.URL+"/rest/current-user", "tok").wantError(t, 403, 32); e["sub_code"] != float64(8) {
		t.Fatalf("unreachable: %v", e)
	}
}
