// Package laymantest is an in-process fake Layman for tests and
// benchmarks, written from Layman's documentation and source (doc/rest.md on
// master for 3.x and at v2.4.0 for 2.x, src/layman/error_list.py,
// authn/oauth2, layer/rest_layer_chunk.py, layer/filesystem/input_chunk.py).
// It does not share code with package client, so it tests the client
// against Layman's behaviour rather than against itself.
//
// What it implements:
//   - Both API generations' routes (Options.Generation), error JSON
//     {"code","message","detail","sub_code"} with Layman's HTTP statuses,
//     Flask's HTML 404/405 pages for unknown routes.
//   - Authentication as authn/oauth2: Authorization header parsing (code 32,
//     sub_codes 3/4/5), inactive tokens (32/9), unreachable introspection
//     (32/8); StaticTokens for unit tests, IntrospectionValidator for a real
//     authorization server.
//   - Username reservation (PATCH /rest/current-user), /rest/users,
//     /rest/roles, /rest/about/version.
//   - Access rights (owner by default, EVERYONE, users, roles) with the
//     rights axioms of error 43; unreadable publications are "not found",
//     readable but not writable ones code 30.
//   - Publishing in public workspaces by GRANT_PUBLISH_IN_PUBLIC_WORKSPACE
//     and GRANT_CREATE_PUBLIC_WORKSPACE (Options), anonymous requests too;
//     DELETE User leaving public workspaces (error 58).
//   - Lists with full_text_filter, bbox_filter(_crs) (the CRSs of
//     Layman's default LAYMAN_OUTPUT_SRS_LIST: 4326, 3857, 5514, 32633,
//     32634), order_by, ordering_bbox, limit, offset, X-Total-Count and
//     Content-Range, ordered then by workspace, name and type.
//   - Map files checked as check_file does: the map-composition schema,
//     errors 59 and 4.
//   - external_table_uri checked as Layman does up to the database, which
//     the fake does not have: every named table exists.
//   - Direct and chunked (Resumable.js) uploads, streamed to disk; chunk
//     limits (error 2), closing (20), unknown files (21) and inactivity
//     timeout (22, publication INCOMPLETE) by Options.Clock.
//   - File-name checks of input_file.check_filenames that need names only:
//     one main file (or time_regex), one ZIP, no mix, Shapefile side files
//     (error 18); side files not named after the main file are dropped.
//
// Simplifications: data files and tables are never read (bounding boxes
// are fixed); publication names are
// slugified with a table of common Latin diacritics; a chunk request after
// the inactivity timeout answers error 22; DELETE during processing is
// allowed (Layman aborts the chain); PATCH during processing is error 49.
package laymantest
