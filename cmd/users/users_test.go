package users_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
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

// The fake has no DELETE /rest/users/<name>; its fault hook answers for
// Layman the way Layman 3.x does.
func answerUserDelete(h *cmdtest.Harness, status int, body string) *atomic.Int32 {
	var n atomic.Int32
	h.Server.SetFault(func(r *http.Request) laymantest.Fault {
		if r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/rest/users/") {
			n.Add(1)
			return laymantest.Fault{Status: status, Body: body}
		}
		return laymantest.Fault{}
	})
	return &n
}

func TestUsersDelete(t *testing.T) {
	cmdtest.ForEachGeneration(t, cmdtest.Options{}, func(t *testing.T, h *cmdtest.Harness) {
		deletes := answerUserDelete(h, http.StatusOK, `{"username":"bob"}`)
		if r := h.Run("users", "delete", "bob"); r.Code != 2 || !strings.Contains(r.Stderr, "--yes") {
			t.Errorf("without --yes in a script:\n%s", r)
		}
		if r := h.RunWith(cmdtest.TTY("\n"), "users", "delete", "bob"); r.Code != 1 || !strings.Contains(r.Stderr, "Delete user bob") {
			t.Errorf("declined by default:\n%s", r)
		}
		if deletes.Load() != 0 {
			t.Fatalf("%d DELETE requests before any confirmation", deletes.Load())
		}
		if r := h.RunWith(cmdtest.TTY("y\n"), "users", "delete", "bob"); r.Code != 0 || !strings.Contains(r.Stderr, "Deleted user bob") {
			t.Errorf("confirmed:\n%s", r)
		}
		if r := h.Run("users", "delete", "bob", "--yes"); r.Code != 0 {
			t.Errorf("--yes:\n%s", r)
		}
		if deletes.Load() != 2 {
			t.Errorf("%d DELETE requests, want 2", deletes.Load())
		}
		answerUserDelete(h, http.StatusForbidden, laymantest.ErrorJSON(30, nil))
		if r := h.Run("users", "delete", "bob", "--yes"); r.Code != 1 || !strings.Contains(r.Stderr, "Layman error 30 (HTTP 403): Unauthorized access") {
			t.Errorf("refused by the server:\n%s", r)
		}
	})
}
