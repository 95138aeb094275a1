package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// User is an item of GET /rest/users.
type User struct {
	Username   string `json:"username"`
	ScreenName string `json:"screen_name,omitempty"`
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	MiddleName string `json:"middle_name,omitempty"`
	Name       string `json:"name,omitempty"`
}

// UsersService lists and deletes users.
type UsersService struct{ c *Client }

// List returns every registered user.
func (s *UsersService) List(ctx context.Context) ([]User, error) {
	var users []User
	if err := s.c.GetJSON(ctx, "rest/users", &users); err != nil {
		return nil, err
	}
	return users, nil
}

// Delete deletes a user with their personal workspace and its publications.
func (s *UsersService) Delete(ctx context.Context, username string) error {
	if err := ValidateWorkspace(username); err != nil {
		return err
	}
	return s.c.call(ctx, http.MethodDelete, "rest/users/"+username, nil, "", nil)
}

// RolesService lists roles.
type RolesService struct{ c *Client }

// List returns the role names, EVERYONE included.
func (s *RolesService) List(ctx context.Context) ([]string, error) {
	var roles []string
	if err := s.c.GetJSON(ctx, "rest/roles", &roles); err != nil {
		return nil, err
	}
	return roles, nil
}

// CurrentUser is who Layman takes the caller for.
type CurrentUser struct {
	Authenticated bool           `json:"authenticated"`
	Username      string         `json:"username,omitempty"`
	Claims        map[string]any `json:"claims,omitempty"`
}

// CurrentUserService is /rest/current-user.
type CurrentUserService struct{ c *Client }

// Get returns the current user; Username is empty until one is reserved.
func (s *CurrentUserService) Get(ctx context.Context) (*CurrentUser, error) {
	u := new(CurrentUser)
	if err := s.c.GetJSON(ctx, "rest/current-user", u); err != nil {
		return nil, err
	}
	return u, nil
}

// ReserveUsername reserves username for the current user. With an empty
// username Layman picks one (adjust_username=true), as the reference
// client does.
func (s *CurrentUserService) ReserveUsername(ctx context.Context, username string) (*CurrentUser, error) {
	path := "rest/current-user"
	if username == "" {
		path += "?adjust_username=true"
	} else if err := ValidateWorkspace(username); err != nil {
		return nil, err
	}
	form := url.Values{"username": {username}}
	u := new(CurrentUser)
	if err := s.c.call(ctx, http.MethodPatch, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", u); err != nil {
		return nil, err
	}
	return u, nil
}

// Delete makes Layman forget the cached credentials (on logout).
func (s *CurrentUserService) Delete(ctx context.Context) error {
	return s.c.call(ctx, http.MethodDelete, "rest/current-user", nil, "", nil)
}
