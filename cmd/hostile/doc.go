// Package hostile holds laymanctl's hostile-server tests: Layman, token and
// discovery endpoints that redirect elsewhere, hang, speak plain HTTP or are
// named by a --server that is not the one logged in to. Each test asserts
// that no token, refresh token, password or request body reached an origin
// it does not belong to. Servers bind loopback only; a non-loopback name
// (layman.test) goes through a local logging proxy set as HTTP(S)_PROXY.
package hostile
