package users_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/cmd/cmdtest"
)

func TestUsersAndRolesList(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.Server.AddUser("bob", laymantest.WithClaims(map[string]any{"name": "Bob Builder", "preferred_username": "bobby"}), laymantest.WithRoles("EDITOR"))

		r := h.RunWith(cmdtest.TTY(""), "users", "list")
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, "USERNAME") || !strings.Contains(r.Stdout, "Bob Builder") {
			t.Errorf("users table:\n%s", r)
		}
		r = h.Run("users", "list", "-o", "json")
		var users []map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &users); err != nil || len(users) != 2 || users[1]["screen_name"] != "bobby" {
			t.Errorf("users json: %v\n%s", err, r)
		}
		if r = h.Run("users", "list", "--jq", ".[].username"); r.Stdout != "alice\nbob\n" {
			t.Errorf("users jq:\n%s", r)
		}

		r = h.Run("roles", "list")
		if r.Code != 0 || r.Stdout != "EDITOR\nEVERYONE\n" {
			t.Errorf("roles:\n%s", r)
		}
		if r = h.Run("roles", "list", "-o", "yaml"); r.Stdout != "- EDITOR\n- EVERYONE\n" {
			t.Errorf("roles yaml:\n%s", r)
		}
	})
}

func TestUsersDelete(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		h.Server.AddUser("bob", laymantest.WithSub("bob"))
		deletes := func() int { return h.Server.CountRequests(http.MethodDelete, "/rest/users/") }
		if r := h.Run("users", "delete", cmdtest.Username); r.Code != 2 || !strings.Contains(r.Stderr, "--yes") {
			t.Errorf("without --yes in a script:\n%s", r)
		}
		if r := h.RunWith(cmdtest.TTY("\n"), "users", "delete", cmdtest.Username); r.Code != 1 || !strings.Contains(r.Stderr, "Delete user "+cmdtest.Username) {
			t.Errorf("declined by default:\n%s", r)
		}
		if n := deletes(); n != 0 {
			t.Fatalf("%d DELETE requests before any confirmation", n)
		}
		// Only GRANT_DELETE_OTHER_USER may delete someone else.
		if r := h.Run("users", "delete", "bob", "--yes"); r.Code != 1 || !strings.Contains(r.Stderr, "Layman error 30 (HTTP 403): Unauthorized access") {
			t.Errorf("refused by the server:\n%s", r)
		}
		if r := h.RunWith(cmdtest.TTY("y\n"), "users", "delete", cmdtest.Username); r.Code != 0 || !strings.Contains(r.Stderr, "Deleted user "+cmdtest.Username) {
			t.Errorf("confirmed:\n%s", r)
		}
		if r := h.Run("users", "delete", "nobody", "--yes"); r.Code != 1 || !strings.Contains(r.Stderr, "Layman error 57 (HTTP 404): User was not found:\n  message: User nobody was not found.") {
			t.Errorf("deleting an unknown user:\n%s", r)
		}
		if n := deletes(); n != 3 {
			t.Errorf("%d DELETE requests, want 3", n)
		}
	})
}
