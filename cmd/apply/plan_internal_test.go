package apply

import "testing"

// Layman lists a personal workspace's owner in both lists whatever was
// sent; apply must not see that as a difference every run.
func TestSameRightsIgnoresTheImplicitOwner(t *testing.T) {
	cases := []struct {
		declared, server []string
		same             bool
	}{
		{[]string{"EVERYONE"}, []string{"alice", "EVERYONE"}, true},
		{[]string{"EVERYONE"}, []string{"EVERYONE"}, true},
		{[]string{"alice", "bob"}, []string{"bob", "alice"}, true},
		{[]string{"alice", "bob"}, []string{"alice"}, false},
		{[]string{"EVERYONE"}, []string{"alice", "bob"}, false},
	}
	for _, c := range cases {
		if got := sameRights(c.declared, c.server, "alice"); got != c.same {
			t.Errorf("declared %v, server %v: same %v, want %v", c.declared, c.server, got, c.same)
		}
	}
}
