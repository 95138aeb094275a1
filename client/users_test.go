package client

import (
	"io"
	"net/http"
	"testing"
)

func TestUsersRolesAbout(t *testing.T) {
	ts := newTestServer(t)
	ts.json("GET /rest/users", 200, `[{"username":"alice","screen_name":"alice","given_name":"Alice","family_name":"Smith","middle_name":"","name":"Alice Smith"}]`)
	ts.json("DELETE /rest/users/alice", 200, `{"username":"alice"}`)
	ts.json("GET /rest/roles", 200, `["EVERYONE","ROLE_EDITOR"]`)
	ts.handle("GET /rest/about/version", versionAnswer("3.0.0-dev"))
	ctx := ctxT(t)
	users, err := ts.client.Users.List(ctx)
	if err != nil || len(users) != 1 || users[0].Username != "alice" || users[0].Name != "Alice Smith" {
		t.Fatalf("users %+v %v", users, err)
	}
	if err := ts.client.Users.Delete(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := ts.client.Users.Delete(ctx, "../etc"); err == nil {
		t.Error("invalid username accepted")
	}
	roles, err := ts.client.Roles.List(ctx)
	if err != nil || len(roles) != 2 || roles[1] != "ROLE_EDITOR" {
		t.Fatalf("roles %v %v", roles, err)
	}
	v, err := ts.client.About.Version(ctx)
	if err != nil || v.Layman() != "3.0.0-dev" || v.About.Data.Layman.LastDataMigration != "2.0.0-1" {
		t.Fatalf("version %+v %v", v, err)
	}
	if g, err := v.Generation(); err != nil || g != Gen3 {
		t.Errorf("generation %v %v", g, err)
	}
	ts.expectRequests("GET /prefix/rest/users", "DELETE /prefix/rest/users/alice", "GET /prefix/rest/roles", "GET /prefix/rest/about/version")
}

func TestCurrentUser(t *testing.T) {
	ts := newTestServer(t)
	ts.json("GET /rest/current-user", 200, `{"authenticated":true,"claims":{"email":"a@example.com","name":"Alice"}}`)
	var forms []string
	ts.handle("PATCH /rest/current-user", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("content type %q", ct)
		}
		b, _ := io.ReadAll(r.Body)
		forms = append(forms, string(b))
		jsonAnswer(200, `{"authenticated":true,"username":"alice","claims":{}}`)(w, r)
	})
	ts.json("DELETE /rest/current-user", 200, `{}`)
	ctx := ctxT(t)
	u, err := ts.client.CurrentUser.Get(ctx)
	if err != nil || !u.Authenticated || u.Username != "" || u.Claims["email"] != "a@example.com" {
		t.Fatalf("%+v %v", u, err)
	}
	if u, err = ts.client.CurrentUser.ReserveUsername(ctx, ""); err != nil || u.Username != "alice" {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err = ts.client.CurrentUser.ReserveUsername(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err = ts.client.CurrentUser.ReserveUsername(ctx, "Alice!"); err == nil {
		t.Error("invalid username accepted")
	}
	if err := ts.client.CurrentUser.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	ts.expectRequests("GET /prefix/rest/current-user", "PATCH /prefix/rest/current-user?adjust_username=true",
		"PATCH /prefix/rest/current-user", "DELETE /prefix/rest/current-user")
	if len(forms) != 2 || forms[0] != "username=" || forms[1] != "username=alice" {
		t.Errorf("forms %q", forms)
	}
}
