package auth

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestRevokeSendsRFC7009Form(t *testing.T) {
	var got url.Values
	var contentType, method string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method, contentType = r.Method, r.Header.Get("Content-Type")
		_ = r.ParseForm()
		got = r.PostForm
	}))
	defer srv.Close()
	if err := Revoke(context.Background(), srv.Client(), srv.URL+"/o/revoke_token/", "cid", "csecret", "rt-1", HintRefreshToken); err != nil {
		t.Fatal(err)
	}
	want := url.Values{"token": {"rt-1"}, "token_type_hint": {"refresh_token"}, "client_id": {"cid"}, "client_secret": {"csecret"}}
	if method != http.MethodPost || contentType != "application/x-www-form-urlencoded" || got.Encode() != want.Encode() {
		t.Errorf("%s %s %v, want a form POST of %v", method, contentType, got, want)
	}
}

func TestRevokeReportsServerError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"unsupported_token_type"}`)
	}))
	defer srv.Close()
	err := Revoke(context.Background(), srv.Client(), srv.URL, "cid", "", "at-secret-value", HintAccessToken)
	if err == nil || !strings.Contains(err.Error(), "unsupported_token_type") || !strings.Contains(err.Error(), "access token") {
		t.Fatalf("error %v, want the server's error code for the access token", err)
	}
	if strings.Contains(err.Error(), "at-secret-value") {
		t.Error("the error shows the token")
	}
}
